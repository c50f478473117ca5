import { readFileSync, statSync } from 'node:fs';
import {
  base64Encode,
  bytesToHex,
  getPublicKey,
  parseSecretKey,
  readRequestOf,
  sign,
  signingMessage,
  signReadRequest,
} from '@yishi/crypto';
import { SIGNING_CONTEXTS } from '@yishi/schema';
import { COMMAND_ROUTES } from '../routes/command-table.js';
import { err, out, parseCommandLine, UsageError, type Command } from './io.js';

const DEFAULT_URL = 'http://127.0.0.1:8080';

/** The service commands that are not the engine's (`routes/webhooks.ts`), by type. */
const SERVICE_COMMAND_ROUTES: Readonly<Record<string, string>> = {
  'webhook.register': '/webhooks',
  'webhook.remove': '/webhooks/:webhookId/removal',
};

/** Each command type and the path template (`:name` from the payload) of the route taking it. */
export const CLI_COMMAND_ROUTES: Readonly<Record<string, string>> = {
  ...Object.fromEntries(COMMAND_ROUTES.map((r) => [r.type, r.url])),
  ...SERVICE_COMMAND_ROUTES,
};

const SUBMIT_HELP = `Usage: yishi submit --key FILE [--url URL] [--field PATH] [--lang en|zh]
                    [--idempotency-key K] 'JSON' | -

Signs a command as the principal of the secret key in FILE and posts it to the route that takes
its type. JSON is the command's payload with its "type" (e.g. '{"type":"body.create","name":"…"}');
'-' reads it from standard input. The ledger id (from GET /ledger/info), "ts" and a fresh
"nonce" are filled in unless given. Prints the service's answer as JSON. Exit code: 0 when the
service accepted the command, 1 when it refused it (the error body is printed, its code on
standard error) or could not be reached, 2 on a usage error (no key file, JSON that is not a
command).

Options:
  --key FILE              the principal's secret key (as 'yishi keygen' or 'yishi init' write it)
  --url URL               the service (default ${DEFAULT_URL})
  --lang en|zh            language of error messages (default en)
  --idempotency-key K     the Idempotency-Key header: a retry with the same key and bytes gets
                          the same answer
  --field PATH            print only this field of an accepted command's answer (a dot path:
                          derived.bodyId; a string as it is, anything else as JSON)
  -h, --help              show this help
`;

const GET_HELP = `Usage: yishi get [--key FILE] [--url URL] [--field PATH] [--lang en|zh] PATH

Reads PATH (e.g. /principals/me, /meetings/mtg-3/minutes?format=markdown) from the service,
signed as the principal of the secret key in FILE when --key is given (the Yishi-Ed25519
Authorization header for this ledger, as the SDK signs reads). Prints the answer: JSON
indented, anything else as it came. Exit code: 0 on a 2xx answer, 1 otherwise (the error body
is printed, its code on standard error), 2 on a usage error.

Options:
  --key FILE     the principal's secret key (omit for public routes such as /log/checkpoint)
  --url URL      the service (default ${DEFAULT_URL})
  --lang en|zh   language of error messages (default en)
  --field PATH   print only this field of a 2xx JSON answer (a dot path: role, keys.0.keyId)
  -h, --help     show this help
`;

/** The secret key in `path`; a missing or malformed file is a usage error. */
function readSecretKey(path: string): Uint8Array {
  let text: string;
  try {
    if (!statSync(path).isFile()) throw new UsageError(`--key ${path}: not a file`);
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(
      code === 'ENOENT'
        ? `--key ${path}: no such file`
        : `--key ${path}: cannot read the file (${code ?? (e as Error).message})`
    );
  }
  try {
    return parseSecretKey(text.trim()).secretKey;
  } catch {
    throw new UsageError(`--key ${path}: the file holds no secret key (PRIVATE+KEY+…)`);
  }
}

/** The service's base URL, checked: http or https, no query. */
function baseUrl(value: string | undefined): string {
  const text = value ?? DEFAULT_URL;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--url ${text}: not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`--url ${text}: expected an http or https URL`);
  }
  return text.replace(/\/+$/, '');
}

/** fetch, its network failures as one line (`cannot reach URL: ECONNREFUSED`). */
async function request(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    throw new Error(
      `cannot reach ${url}: ${cause?.code ?? cause?.message ?? (e as Error).message}`,
      { cause: e }
    );
  }
}

/** The ledger the service keeps (GET /ledger/info), which every signature names. */
async function ledgerId(base: string): Promise<string> {
  const response = await request(`${base}/ledger/info`, { method: 'GET' });
  const info = (await response.json().catch(() => undefined)) as { ledgerId?: unknown } | undefined;
  if (!response.ok || typeof info?.ledgerId !== 'string') {
    throw new Error(`${base}/ledger/info answered ${response.status} without a ledger id`);
  }
  return info.ledgerId;
}

/** The value at a dot path (`derived.bodyId`, `items.0.title`) of a JSON answer. */
function pick(body: unknown, path: string): unknown {
  let value = body;
  for (const step of path.split('.')) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, step)) {
      return undefined;
    }
    value = (value as Record<string, unknown>)[step];
  }
  return value;
}

/**
 * Prints an answer: JSON indented (or only `field` of it: a string as it is, anything else as
 * JSON), other text as it came; a non-2xx answer is printed whole and named on stderr.
 */
async function report(response: Response, field: string | undefined): Promise<number> {
  const text = await response.text();
  let body: unknown;
  try {
    const json = /\bjson\b/.test(response.headers.get('content-type') ?? '');
    body = json ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (response.ok && field !== undefined) {
    const value = pick(body, field);
    if (value === undefined) {
      out(body === undefined ? text : `${JSON.stringify(body, null, 2)}\n`);
      err(`the answer has no field ${field}\n`);
      return 1;
    }
    out(`${typeof value === 'string' ? value : JSON.stringify(value)}\n`);
    return 0;
  }
  out(body === undefined ? text : `${JSON.stringify(body, null, 2)}\n`);
  if (response.ok) return 0;
  const e = (body ?? {}) as { code?: unknown; rule?: unknown };
  const rule = typeof e.rule === 'string' ? ` (${e.rule})` : '';
  err(`HTTP ${response.status} ${typeof e.code === 'string' ? e.code : ''}${rule}\n`);
  return 1;
}

const languageHeader = (lang: string | undefined): Record<string, string> => {
  if (lang === undefined) return {};
  if (lang !== 'en' && lang !== 'zh') throw new UsageError(`--lang ${lang}: expected en or zh`);
  return { 'accept-language': lang === 'zh' ? 'zh-CN' : 'en' };
};

/** The payload argument: a JSON object with a known command type. */
function commandPayload(text: string): Record<string, unknown> {
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`the command is not JSON: ${(e as Error).message}`);
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new UsageError('the command must be a JSON object with a "type"');
  }
  const type = (payload as Record<string, unknown>)['type'];
  if (typeof type !== 'string' || !Object.hasOwn(CLI_COMMAND_ROUTES, type)) {
    throw new UsageError(`unknown command type ${JSON.stringify(type ?? null)}`);
  }
  return payload as Record<string, unknown>;
}

/** The path of the route taking `payload`, its `:name` parameters filled from the payload. */
export function commandPath(payload: Record<string, unknown>): string {
  const type = payload['type'] as string;
  const template = CLI_COMMAND_ROUTES[type] as string;
  return template.replace(/:(\w+)/g, (_, name: string) => {
    const value = payload[name];
    if (typeof value !== 'string') {
      throw new UsageError(`a ${type} command needs "${name}" (its route names it)`);
    }
    return encodeURIComponent(value);
  });
}

/** The signed command (`{ payload, publicKey, signature }`) as the request body, JSON. */
function signedCommandBody(
  payload: Record<string, unknown>,
  secretKey: Uint8Array,
  ledger: string
): string {
  const signed = {
    ...payload,
    ledger,
    ts: payload['ts'] ?? Date.now(),
    nonce: payload['nonce'] ?? bytesToHex(globalThis.crypto.getRandomValues(new Uint8Array(16))),
  };
  return JSON.stringify({
    payload: signed,
    publicKey: base64Encode(getPublicKey(secretKey)),
    signature: base64Encode(sign(signingMessage(SIGNING_CONTEXTS.command, signed), secretKey)),
  });
}

/** The `Authorization` header of a signed read of `target` (path and query) for `ledger`. */
function readAuthorization(
  method: string,
  target: string,
  body: string | undefined,
  secretKey: Uint8Array,
  ledger: string
): string {
  return signReadRequest(readRequestOf(method, target, body, ledger, Date.now()), secretKey);
}

export const submitCommand: Command = async (argv) => {
  const parsed = parseCommandLine(
    {
      args: argv,
      strict: true,
      allowPositionals: true,
      options: {
        key: { type: 'string' },
        url: { type: 'string' },
        lang: { type: 'string' },
        'idempotency-key': { type: 'string' },
        field: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    },
    SUBMIT_HELP
  );
  if (parsed === null) return 0;
  const { values, positionals } = parsed;
  if (values.key === undefined) throw new UsageError('--key FILE is required');
  if (positionals.length !== 1) throw new UsageError('give the command as one JSON argument');
  const secretKey = readSecretKey(values.key);
  const base = baseUrl(values.url);
  const headers = { 'content-type': 'application/json', ...languageHeader(values.lang) };
  if (values['idempotency-key'] !== undefined) {
    Object.assign(headers, { 'idempotency-key': values['idempotency-key'] });
  }
  const arg = positionals[0] as string;
  const payload = commandPayload(arg === '-' ? readFileSync(0, 'utf8') : arg);
  const path = commandPath(payload);
  const ledger = typeof payload['ledger'] === 'string' ? payload['ledger'] : await ledgerId(base);
  const body = signedCommandBody(payload, secretKey, ledger);
  return report(await request(`${base}${path}`, { method: 'POST', headers, body }), values.field);
};

export const getCommand: Command = async (argv) => {
  const parsed = parseCommandLine(
    {
      args: argv,
      strict: true,
      allowPositionals: true,
      options: {
        key: { type: 'string' },
        url: { type: 'string' },
        lang: { type: 'string' },
        field: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    },
    GET_HELP
  );
  if (parsed === null) return 0;
  const { values, positionals } = parsed;
  if (positionals.length !== 1) throw new UsageError('give exactly one PATH');
  const target = positionals[0] as string;
  if (!target.startsWith('/')) throw new UsageError(`${target}: a PATH starts with '/'`);
  const secretKey = values.key === undefined ? undefined : readSecretKey(values.key);
  const base = baseUrl(values.url);
  const headers: Record<string, string> = languageHeader(values.lang);
  if (secretKey !== undefined) {
    headers['authorization'] = readAuthorization(
      'GET',
      target,
      undefined,
      secretKey,
      await ledgerId(base)
    );
  }
  return report(await request(`${base}${target}`, { method: 'GET', headers }), values.field);
};

const SIGN_HELP = `Usage: yishi sign --key FILE (--url URL | --ledger ID) 'JSON' | -
       yishi sign --key FILE (--url URL | --ledger ID) --read METHOD PATH [--body FILE]

Signs without sending, for curl or any other HTTP client. For a command (its payload as JSON, or
'-' for standard input): prints the signed request body to POST, with "ledger", "ts" and a
fresh "nonce" filled in, and names its route on standard error. With --read: prints the
Authorization header value of a signed read of PATH (path and query as sent; --body FILE for a
request that has a body). The ledger id is --ledger, or what GET URL/ledger/info reports.

  yishi sign --key data/admin.key --url URL '{"type":"body.create","name":"…"}' |
    curl -H 'content-type: application/json' --data-binary @- URL/bodies
  curl -H "authorization: $(yishi sign --key me.key --url URL --read GET /principals/me)" \\
    URL/principals/me

Options:
  --key FILE        the principal's secret key
  --url URL         the service, asked for its ledger id (default ${DEFAULT_URL})
  --ledger ID       the ledger id to sign for (no request is made)
  --read METHOD     sign a read (GET, POST, …) of PATH instead of a command
  --body FILE       the exact bytes of the read's request body
  -h, --help        show this help
`;

export const signCommand: Command = async (argv) => {
  const parsed = parseCommandLine(
    {
      args: argv,
      strict: true,
      allowPositionals: true,
      options: {
        key: { type: 'string' },
        url: { type: 'string' },
        ledger: { type: 'string' },
        read: { type: 'string' },
        body: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    },
    SIGN_HELP
  );
  if (parsed === null) return 0;
  const { values, positionals } = parsed;
  if (values.key === undefined) throw new UsageError('--key FILE is required');
  if (positionals.length !== 1) {
    throw new UsageError(
      values.read ? 'give exactly one PATH' : 'give the command as one JSON argument'
    );
  }
  const secretKey = readSecretKey(values.key);
  const arg = positionals[0] as string;
  const ledger = async () => values.ledger ?? (await ledgerId(baseUrl(values.url)));
  if (values.read !== undefined) {
    if (!/^[A-Za-z]{1,16}$/.test(values.read))
      throw new UsageError(`--read ${values.read}: not a method`);
    if (!arg.startsWith('/')) throw new UsageError(`${arg}: a PATH starts with '/'`);
    let body: string | undefined;
    if (values.body !== undefined) {
      try {
        body = readFileSync(values.body, 'utf8');
      } catch (e) {
        throw new UsageError(
          `--body ${values.body}: ${(e as NodeJS.ErrnoException).code ?? 'unreadable'}`
        );
      }
    }
    out(`${readAuthorization(values.read, arg, body, secretKey, await ledger())}\n`);
    return 0;
  }
  if (values.body !== undefined) throw new UsageError('--body goes with --read');
  const payload = commandPayload(arg === '-' ? readFileSync(0, 'utf8') : arg);
  const path = commandPath(payload);
  const id = typeof payload['ledger'] === 'string' ? payload['ledger'] : await ledger();
  out(`${signedCommandBody(payload, secretKey, id)}\n`);
  err(`POST ${path}\n`);
  return 0;
};
