#!/usr/bin/env node
// Fails (exit 1) on any import cycle: between the workspace packages (through `@yishi/*`
// imports), among each package's src/**/*.ts modules (type-only imports included: a cycle of
// types is still a cycle for the reader), and among its compiled dist/**/*.js modules.
//
// Usage: node scripts/check-cycles.mjs [rootDir]   (default: the repository root)
// No dependency: imports are read with a regular expression over `import`/`export … from` and
// `import '…'` statements (static ones only: a dynamic `import()` loads lazily and is allowed).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..'));
const workspaces = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).workspaces ?? [];

// `import x from '…'`, `import type { x } from '…'`, `export * from '…'`, `import '…'`.
const IMPORT = /^\s*(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/gm;

/** Static import specifiers of a module's text (comments dropped first). */
function specifiers(text) {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  return [...code.matchAll(IMPORT)].map((m) => m[1]);
}

function filesUnder(dir, ext) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true })
    .map((f) => join(dir, f))
    .filter((f) => f.endsWith(ext) && !f.endsWith('.d.ts') && statSync(f).isFile());
}

/** The file a relative specifier names (`./x.js` is `./x.ts` in src), or undefined. */
function resolveRelative(from, spec, ext) {
  if (!spec.startsWith('.')) return undefined;
  const base = resolve(dirname(from), spec);
  const candidates =
    ext === '.ts'
      ? [base.replace(/\.js$/, '.ts'), base, `${base}.ts`, join(base, 'index.ts')]
      : [base, `${base}.js`, join(base, 'index.js')];
  return candidates.find((c) => existsSync(c) && statSync(c).isFile());
}

/** Every elementary cycle's representative: one per strongly connected component (Tarjan). */
function cycles(graph) {
  let index = 0;
  const idx = new Map();
  const low = new Map();
  const stack = [];
  const on = new Set();
  const out = [];
  const visit = (v) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const scc = [];
      let w;
      do {
        w = stack.pop();
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? new Set()).has(v)) out.push(scc.reverse());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return out;
}

const found = [];
const packages = new Map(); // package name -> workspace folder
for (const ws of workspaces) {
  const pkg = join(root, ws, 'package.json');
  if (existsSync(pkg)) packages.set(JSON.parse(readFileSync(pkg, 'utf8')).name, ws);
}

// Packages: an edge for each `@yishi/…` import in a package's sources.
const pkgGraph = new Map();
for (const [name, ws] of packages) {
  const deps = new Set();
  for (const f of filesUnder(join(root, ws, 'src'), '.ts')) {
    for (const spec of specifiers(readFileSync(f, 'utf8'))) {
      const target = [...packages.keys()].find((p) => spec === p || spec.startsWith(`${p}/`));
      if (target && target !== name) deps.add(target);
    }
  }
  pkgGraph.set(name, deps);
}
for (const c of cycles(pkgGraph)) found.push(`packages: ${c.join(' -> ')} -> ${c[0]}`);

// Modules within each package, in its sources and in its build.
for (const ws of packages.values()) {
  for (const [folder, ext] of [
    ['src', '.ts'],
    ['dist', '.js'],
  ]) {
    const graph = new Map();
    for (const f of filesUnder(join(root, ws, folder), ext)) {
      const deps = new Set();
      for (const spec of specifiers(readFileSync(f, 'utf8'))) {
        const target = resolveRelative(f, spec, ext);
        if (target) deps.add(target);
      }
      graph.set(f, deps);
    }
    for (const c of cycles(graph)) {
      const names = c.map((f) => relative(root, f));
      found.push(`${ws}/${folder}: ${names.join(' -> ')} -> ${names[0]}`);
    }
  }
}

if (found.length > 0) {
  console.error(`import cycles (${found.length}):\n${found.map((c) => `  ${c}`).join('\n')}`);
  process.exit(1);
}
console.log('no import cycle');
