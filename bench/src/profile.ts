// CPU profiles: taken in process with node:inspector, or read from a child's --cpu-prof file,
// and summed by function (self time) to name what dominates.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Session } from 'node:inspector/promises';
import { repoRoot } from './util.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

/** Self time by function, largest first: `share` of all samples, and where it is. */
export interface Hotspot {
  share: number;
  name: string;
  where: string;
}

function where(url: string, line: number): string {
  if (url === '') return '(native)';
  const path = url.startsWith('file://') ? new URL(url).pathname : url;
  const short = path.startsWith(repoRoot) ? relative(repoRoot, path) : path;
  return `${short.replace(/^node_modules\//, '')}:${line + 1}`;
}

/** Where a function lives, coarsely: a package, a node: module, a file of this repository. */
function area(where: string): string {
  if (where.startsWith('(')) return where;
  const path = where.replace(/:\d+$/, '');
  if (path.startsWith('node:')) return path.split('/').slice(0, 3).join('/');
  const pkg = /^(@[^/]+\/[^/]+|[^/]+)\//.exec(path)?.[1];
  if (pkg && !['service', 'crypto', 'procedure', 'sdk', 'schema', 'bench'].includes(pkg))
    return pkg;
  return path;
}

/** Self time summed by {@link area}: the top `n`. */
export function areas(hot: Hotspot[], n = 10): Hotspot[] {
  const sum = new Map<string, number>();
  for (const h of hot) sum.set(area(h.where), (sum.get(area(h.where)) ?? 0) + h.share);
  return [...sum.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([where, share]) => ({ share, name: '', where }));
}

/** The top `n` functions by self time (all of them by default). */
export function hotspots(profile: CpuProfile, n = Number.POSITIVE_INFINITY): Hotspot[] {
  const byNode = new Map<number, ProfileNode>(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<string, { name: string; where: string; hits: number }>();
  let total = 0;
  const add = (node: ProfileNode, hits: number) => {
    const name = node.callFrame.functionName || '(anonymous)';
    if (name === '(idle)' || name === '(program)') return; // not busy
    const at = where(node.callFrame.url, node.callFrame.lineNumber);
    const key = `${name} ${at}`;
    const entry = self.get(key) ?? { name, where: at, hits: 0 };
    entry.hits += hits;
    self.set(key, entry);
    total += hits;
  };
  if (profile.samples) {
    for (const id of profile.samples) {
      const node = byNode.get(id);
      if (node) add(node, 1);
    }
  } else {
    for (const node of profile.nodes) add(node, node.hitCount ?? 0);
  }
  return [...self.values()]
    .sort((a, b) => b.hits - a.hits)
    .slice(0, n)
    .map((e) => ({ share: e.hits / Math.max(1, total), name: e.name, where: e.where }));
}

/** Runs `fn` under the in-process CPU profiler; returns its result and the hotspots. */
export async function profiled<T>(fn: () => Promise<T>): Promise<{ result: T; hot: Hotspot[] }> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  const stop = async () =>
    ((await session.post('Profiler.stop')) as { profile: CpuProfile }).profile;
  try {
    const result = await fn();
    return { result, hot: hotspots(await stop()) };
  } catch (err) {
    await stop();
    throw err;
  } finally {
    session.disconnect();
  }
}

/** The hotspots of the first .cpuprofile file in `dir` (a child run with --cpu-prof-dir). */
export function profileFromDir(dir: string): Hotspot[] {
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) return [];
  return hotspots(JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile);
}

const line = (h: Hotspot): string =>
  `  ${(100 * h.share).toFixed(1).padStart(5)}%  ${h.name ? `${h.name}  ` : ''}${h.where}`;

/** The top functions and the top areas by self time, as indented lines. */
export const formatHotspots = (title: string, hot: Hotspot[]): string =>
  [
    `${title} (self time, share of busy samples)`,
    '  by function:',
    ...hot.slice(0, 10).map(line),
    '  by package or file:',
    ...areas(hot).map(line),
  ].join('\n');
