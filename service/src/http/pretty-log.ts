// Log lines for a person at a terminal: `12:04:05 INFO  message  key=value`, a request as
// `POST /meetings 201 12ms principal=admin`, an error's stack beneath its line. pino writes its
// JSON into this stream, which reformats each line synchronously; JSON stays the default when
// standard output is not a terminal (a file, a pipe, a log collector). A small formatter rather
// than pino-pretty: the records are few and known, and pino-pretty brings a dozen packages and a
// worker thread to a service that should start fast and stay small.
import { Writable } from 'node:stream';

const LEVELS: Record<number, [string, string]> = {
  10: ['TRACE', '90'],
  20: ['DEBUG', '90'],
  30: ['INFO ', '32'],
  40: ['WARN ', '33'],
  50: ['ERROR', '31'],
  60: ['FATAL', '35'],
};

/** Fields every record has, or that the compact forms below already show. */
const OMIT = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'req', 'res', 'responseTime']);

function clock(ms: unknown): string {
  const d = typeof ms === 'number' ? new Date(ms) : new Date();
  return d.toTimeString().slice(0, 8);
}

function value(v: unknown): string {
  if (typeof v === 'string') return /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v);
  return JSON.stringify(v) ?? String(v);
}

/** One pino JSON record as one or more human lines (no trailing newline). */
export function formatRecord(record: Record<string, unknown>, color = false): string {
  const paint = (code: string, text: string) => (color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const [name, code] = LEVELS[record['level'] as number] ?? ['LOG  ', '0'];
  const parts = [paint('2', clock(record['time'])), paint(code, name)];
  const req = record['req'] as { method?: string; url?: string } | undefined;
  const res = record['res'] as { statusCode?: number } | undefined;
  if (req?.method !== undefined && res?.statusCode !== undefined) {
    const ms = record['responseTime'];
    parts.push(
      `${req.method} ${req.url ?? ''} ${res.statusCode}` +
        (typeof ms === 'number' ? ` ${ms.toFixed(ms < 10 ? 1 : 0)}ms` : '')
    );
  } else if (typeof record['msg'] === 'string') {
    parts.push(record['msg']);
  }
  let stack: string | undefined;
  const fields: string[] = [];
  for (const [k, v] of Object.entries(record)) {
    if (OMIT.has(k) || v === undefined) continue;
    if (k === 'err' && typeof v === 'object' && v !== null) {
      const e = v as { message?: string; stack?: string };
      fields.push(`err=${value(e.message ?? '')}`);
      stack = e.stack;
      continue;
    }
    fields.push(`${paint('2', `${k}=`)}${value(v)}`);
  }
  let line = parts.join(' ');
  if (fields.length > 0) line += `  ${fields.join(' ')}`;
  if (stack) line += `\n${stack.replace(/^/gm, '    ')}`;
  return line;
}

/** A stream pino writes JSON lines into; each is written on to `out` as a human line. */
export function prettyStream(out: NodeJS.WritableStream, color = false): Writable {
  let pending = '';
  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      pending += chunk.toString();
      let nl: number;
      let text = '';
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        try {
          text += `${formatRecord(JSON.parse(line) as Record<string, unknown>, color)}\n`;
        } catch {
          text += `${line}\n`;
        }
      }
      if (text) out.write(text);
      done();
    },
  });
}
