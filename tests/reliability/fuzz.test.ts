/**
 * Bad input: property-based requests to every route of `schema/openapi.json`, generated from the
 * route's own schemas (path parameters, query, headers, body), then broken every way a hostile
 * client can: wrong types, values just past a bound, missing and extra keys (`__proto__`,
 * `constructor`), huge and deeply nested values, Unicode edge cases, bad signatures, bad JSON,
 * other content types, unknown routes. For every answer: never a 5xx; every refusal carries a
 * code from the service's error table (or an engine refusal) with that code's status, and a
 * status the route documents; a refused request changes neither the ledger nor the state.
 *
 * 10,000 requests by default; YISHI_RELIABILITY=long sends 100,000. YISHI_RELIABILITY_SEED
 * repeats a run.
 */
import t from 'tap';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  base64Encode,
  EMPTY_BODY_DIGEST,
  generateSecretKey,
  getPublicKey,
  sign,
  signingMessage,
  signReadRequest,
} from '@yishi/crypto';
import { REFUSAL_CODES, type RefusalCode } from '@yishi/procedure';
import { commandSigningContext } from '@yishi/schema';
import { COMMAND_ROUTES, ERRORS, refusalStatus } from '@yishi/service/internal';
import { repoRoot } from '../helpers/paths.js';
import { HOUR, ServiceWorld } from '../service/helpers/service-world.js';
import {
  applyMutation,
  mutationArb,
  resolver,
  serialize,
  UNICODE_EDGES,
  validArb,
  type Schema,
} from './helpers/schema-arbitrary.js';

const LONG = process.env['YISHI_RELIABILITY'] === 'long';
const REQUESTS = LONG ? 100_000 : 10_000;
const SEED = Number(process.env['YISHI_RELIABILITY_SEED'] ?? Date.now() % 2 ** 31);
t.comment(`seed ${SEED} (YISHI_RELIABILITY_SEED=${SEED} repeats this run)`);

interface Operation {
  method: 'GET' | 'POST';
  template: string;
  responses: Set<number>;
  params: { name: string; in: string; schema: Schema; required: boolean }[];
  body?: Schema;
  signed: boolean;
}

interface OpenApiOperation {
  responses: Record<string, unknown>;
  parameters?: { name: string; in: string; schema: Schema; required?: boolean }[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  security?: unknown[];
}
const doc = JSON.parse(readFileSync(join(repoRoot, 'schema/openapi.json'), 'utf8')) as {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: { schemas: Record<string, Schema> };
};
const resolve = resolver(doc);
const OPS: Operation[] = [];
for (const [template, ops] of Object.entries(doc.paths)) {
  for (const [method, op] of Object.entries(ops)) {
    if (method !== 'get' && method !== 'post') continue;
    OPS.push({
      method: method.toUpperCase() as 'GET' | 'POST',
      template,
      responses: new Set(Object.keys(op.responses).map(Number)),
      params: (op.parameters ?? []).map((p) => ({
        name: p.name,
        in: p.in,
        schema: p.schema,
        required: p.required === true,
      })),
      ...(op.requestBody
        ? { body: op.requestBody.content['application/json']?.schema as Schema }
        : {}),
      signed: Array.isArray(op.security) && op.security.length > 0,
    });
  }
}

const w = await ServiceWorld.create(t, { rateLimitPerMinute: 1_000_000_000, bodyLimit: 16 * 1024 });
await w.populate();
const meetingId = await w.schedule();
const itemA = await w.submit(meetingId, 'm1');
const itemB = await w.submit(meetingId, 'm2', 'major_project');
await w.open(meetingId, w.now + 7 * 24 * HOUR);
await w.ok('chair', { type: 'item.deliberate', itemId: itemA.itemId });
const PRINCIPALS = Object.keys(w.keys);
/** Ids that exist, by parameter name: generated requests hit real resources too. */
const KNOWN: Record<string, string[]> = {
  bodyId: [w.bodyId, w.otherBodyId],
  meetingId: [meetingId],
  itemId: [itemA.itemId, itemB.itemId],
  principalId: PRINCIPALS,
  motionId: ['mot-1'],
  objectionId: ['obj-1'],
  reportId: ['rpt-1-0'],
  webhookId: ['wh-1'],
  index: ['0', '1', '5'],
  size: ['1', '3'],
  from: ['1'],
  to: ['2'],
};

/** The routes that append to the ledger (the others, webhooks, write the service database). */
const LEDGER_COMMAND_PATHS = new Set(
  COMMAND_ROUTES.map((r) => r.url.replace(/:([A-Za-z]+)/g, '{$1}'))
);
const KNOWN_CODES = new Set<string>([...Object.keys(ERRORS), ...REFUSAL_CODES]);
const statusOf = (code: string): number =>
  code in ERRORS ? ERRORS[code as keyof typeof ERRORS].status : refusalStatus(code as RefusalCode);

/** Percent-encodes a path segment; a lone surrogate goes out as the bytes a client would send. */
function segment(s: string): string {
  return s.replace(/[\s\S]/gu, (ch) => {
    try {
      return encodeURIComponent(ch);
    } catch {
      return '%ED%A0%80';
    }
  });
}

const stringish = (schema: Schema, name: string): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...(KNOWN[name] ?? ['x'])) },
    { weight: 3, arbitrary: validArb(schema, resolve).map(String) },
    { weight: 2, arbitrary: fc.constantFrom(...UNICODE_EDGES) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('', '-1', '01', '1e3', '9'.repeat(40), 'x'.repeat(5000), '..'),
    }
  );

/** Every way a request is built. */
type Built = {
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string;
  op: Operation | undefined;
};

const signer = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...PRINCIPALS) },
  { weight: 1, arbitrary: fc.constant('(unknown)') }
);
const keyOf = (who: string): Uint8Array => w.keys[who] ?? generateSecretKey();

function readAuthorization(key: Uint8Array, url: string, ts: number): string {
  const q = url.indexOf('?');
  return signReadRequest(
    {
      ledger: w.init.ledgerId,
      method: 'GET',
      path: q < 0 ? url : url.slice(0, q),
      query: q < 0 ? '' : url.slice(q + 1),
      bodyDigest: EMPTY_BODY_DIGEST,
      ts,
    },
    key
  );
}

/** The command signature over `payload`, or 64 zero bytes where it has no canonical form. */
function signOrJunk(payload: unknown, key: Uint8Array): string {
  try {
    return base64Encode(sign(signingMessage(commandSigningContext(payload), payload), key));
  } catch {
    return base64Encode(new Uint8Array(64));
  }
}

function requestArb(op: Operation): fc.Arbitrary<Built> {
  const pathParams = op.params.filter((p) => p.in === 'path');
  const queryParams = op.params.filter((p) => p.in === 'query');
  const params = fc.record(
    Object.fromEntries(pathParams.map((p) => [p.name, stringish(p.schema, p.name)]))
  ) as fc.Arbitrary<Record<string, string>>;
  const query = fc.oneof(
    { weight: 3, arbitrary: fc.constant('') },
    {
      weight: 3,
      arbitrary: fc
        .record(Object.fromEntries(queryParams.map((p) => [p.name, stringish(p.schema, p.name)])), {
          requiredKeys: [],
        })
        .map((q) =>
          Object.entries(q as Record<string, string>)
            .map(([k, v]) => `${k}=${segment(v)}`)
            .join('&')
        ),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '__proto__=1',
        'constructor=x',
        'a=1&a=2',
        '%zz',
        'x'.repeat(3000)
      ),
    }
  );
  const urlOf = (p: Record<string, string>, q: string) => {
    const path = op.template.replace(/\{(\w+)\}/g, (_m, n: string) => segment(p[n] ?? ''));
    return q === '' ? path : `${path}?${q}`;
  };

  if (op.method === 'GET') {
    const auth = fc.oneof(
      {
        weight: 6,
        arbitrary: fc.record({
          kind: fc.constant('signed' as const),
          who: signer,
          skew: fc.constantFrom(0, 0, 0, 6 * 60_000, -6 * 60_000),
        }),
      },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('none' as const) }) },
      {
        weight: 1,
        arbitrary: fc.record({
          kind: fc.constant('garbage' as const),
          text: fc.oneof(
            fc.constantFrom(
              'Yishi-Ed25519 ',
              'Yishi-Ed25519 key=, ts=, sig=',
              'Bearer x',
              'Yishi-Ed25519 key=AAAA, ts=1, sig=AAAA'
            ),
            fc.string({ maxLength: 200 }).map((s) => s.replace(/[^\x20-\x7e]/g, ''))
          ),
        }),
      }
    );
    return fc.tuple(params, query, auth).map(([p, q, a]) => {
      const url = urlOf(p, q);
      const headers: Record<string, string> = {};
      if (a.kind === 'signed')
        headers['authorization'] = readAuthorization(keyOf(a.who), url, w.now + a.skew);
      if (a.kind === 'garbage') headers['authorization'] = a.text;
      return { method: 'GET', url, headers, op };
    });
  }

  const envelope = op.body as Schema;
  const payloadSchema = (resolve(envelope)['properties'] as Record<string, Schema>)[
    'payload'
  ] as Schema;
  const payload = validArb(payloadSchema, resolve) as fc.Arbitrary<Record<string, unknown>>;
  const how = fc.record({
    who: signer,
    mutation: mutationArb(envelope, resolve),
    resign: fc.boolean(),
    matchPath: fc.constantFrom(true, true, true, false),
    skew: fc.oneof(
      { weight: 10, arbitrary: fc.constant(0) },
      { weight: 1, arbitrary: fc.constantFrom(6 * 60_000, -6 * 60_000) }
    ),
    contentType: fc.oneof(
      { weight: 12, arbitrary: fc.constant('application/json') },
      { weight: 2, arbitrary: fc.constant('application/json; charset=utf-8') },
      {
        weight: 2,
        arbitrary: fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', ''),
      }
    ),
    idempotencyKey: fc.oneof(
      { weight: 5, arbitrary: fc.constant(undefined) },
      { weight: 1, arbitrary: fc.constantFrom('k-1', '', 'x'.repeat(300), 'ü') }
    ),
    raw: fc.oneof(
      { weight: 12, arbitrary: fc.constant(undefined) },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          '',
          '{',
          'null',
          '[]',
          '"x"',
          '1e999',
          '{"payload":',
          '\ufeff{}',
          '['.repeat(10_000)
        ),
      }
    ),
  });
  return fc.tuple(params, payload, how).map(([p, pl, h]) => {
    const url = urlOf(p, '');
    const key = keyOf(h.who);
    // Protocol v2: the command names this ledger (a mutation may change or drop it).
    const draft: Record<string, unknown> = { ...pl, ledger: w.init.ledgerId, ts: w.now + h.skew };
    if (h.matchPath) for (const [k, v] of Object.entries(p)) draft[k] = v;
    const command = {
      payload: draft,
      publicKey: base64Encode(getPublicKey(key)),
      signature: signOrJunk(draft, key),
    };
    const mutated = applyMutation(command, envelope, resolve, h.mutation) as Record<
      string,
      unknown
    >;
    if (h.resign && typeof mutated === 'object' && mutated !== null) {
      mutated['signature'] = signOrJunk(mutated['payload'], key);
    }
    const headers: Record<string, string> = {};
    if (h.contentType !== '') headers['content-type'] = h.contentType;
    if (h.idempotencyKey !== undefined) headers['idempotency-key'] = h.idempotencyKey;
    return { method: 'POST', url, headers, payload: h.raw ?? serialize(mutated), op };
  });
}

const strays: fc.Arbitrary<Built> = fc
  .record({
    method: fc.constantFrom('PUT', 'DELETE', 'PATCH', 'OPTIONS', 'GET', 'POST', 'HEAD'),
    path: fc.constantFrom(
      '/',
      '/nope',
      '/meetings/x/y/z',
      '/%2e%2e/%2e%2e/etc/passwd',
      '/log',
      '/__proto__',
      '/bodies/constructor'
    ),
  })
  .map(({ method, path }) => ({ method, url: path, headers: {}, op: undefined }));

const anyRequest = fc.oneof(
  { weight: 30, arbitrary: fc.oneof(...OPS.map(requestArb)) },
  { weight: 1, arbitrary: strays }
);

/** What the fuzz run saw. */
const seen = { sent: 0, status5xx: 0, byStatus: new Map<number, number>(), accepted: 0 };

function stateDigest(): string {
  try {
    return JSON.stringify([w.app.pipeline.state, w.app.webhooks.list()]);
  } catch {
    return 'unavailable';
  }
}

t.test(
  `${REQUESTS} generated requests: no 5xx, only documented refusals, no state change from one`,
  async (t) => {
    const problems: string[] = [];
    await fc.assert(
      fc.asyncProperty(anyRequest, async (req) => {
        const size = w.store.size;
        const before = stateDigest();
        const res = await w.app.inject({
          method: req.method as 'GET',
          url: req.url,
          headers: req.headers,
          ...(req.payload !== undefined ? { payload: req.payload } : {}),
        });
        seen.sent++;
        seen.byStatus.set(res.statusCode, (seen.byStatus.get(res.statusCode) ?? 0) + 1);
        const what = `${req.method} ${req.url.slice(0, 120)} → ${res.statusCode} ${res.body.slice(0, 200)}`;
        if (res.statusCode >= 500) {
          seen.status5xx++;
          problems.push(`5xx: ${what}`);
          return;
        }
        if (res.statusCode < 300) {
          if (req.method === 'POST' && req.op && LEDGER_COMMAND_PATHS.has(req.op.template)) {
            seen.accepted++;
            if (w.store.size !== size + 1 && res.headers['idempotent-replayed'] !== 'true') {
              problems.push(`an accepted command did not append exactly one entry: ${what}`);
              return;
            }
          }
          return;
        }
        if (w.store.size !== size || stateDigest() !== before) {
          problems.push(`a refused request changed the ledger or the state: ${what}`);
          return;
        }
        if (req.method === 'HEAD') return;
        // The front page (`/`, and any URL whose dot segments resolve to it) is the reference.
        if (res.statusCode === 302 && res.headers['location'] === '/docs') return;
        let body: { code?: unknown; statusCode?: unknown };
        try {
          body = JSON.parse(res.body);
        } catch {
          problems.push(`a refusal without a JSON body: ${what}`);
          return;
        }
        const code = String(body.code);
        if (
          !KNOWN_CODES.has(code) ||
          statusOf(code) !== res.statusCode ||
          body.statusCode !== res.statusCode
        ) {
          problems.push(`a refusal with an undocumented code: ${what}`);
          return;
        }
        const unmatched = code === 'NOT_FOUND';
        if (req.op && !unmatched && !req.op.responses.has(res.statusCode)) {
          problems.push(
            `${req.op.method} ${req.op.template} answered ${res.statusCode}, which it does not document: ${what}`
          );
          return;
        }
        return;
      }),
      { numRuns: REQUESTS, seed: SEED, endOnFailure: true }
    );
    // Every kind of problem once, with its first example.
    const kinds = new Map<string, string>();
    for (const p of problems) {
      const kind = p.replace(/: .*$/s, '');
      if (!kinds.has(kind)) kinds.set(kind, p);
    }
    t.same([...kinds.values()], [], 'every answer was a documented one');
    t.equal(problems.length, 0, 'no problem at all');
    t.equal(seen.status5xx, 0, 'no 5xx');
    t.ok(seen.sent >= REQUESTS, `${seen.sent} requests sent`);
    t.ok(seen.accepted > 0, 'some generated commands were valid and accepted');
    const statuses = [...seen.byStatus.entries()].sort((a, b) => a[0] - b[0]);
    t.ok(statuses.length >= 8, 'the answers spread over many statuses');
    t.comment(
      `fuzz figures: ${seen.sent} requests sent, ${seen.status5xx} 5xx, ${seen.accepted} commands ` +
        `accepted; statuses ${statuses.map(([s, n]) => `${s}×${n}`).join(' ')}`
    );
  }
);

t.test('no generated key reached Object.prototype', async (t) => {
  const probe: Record<string, unknown> = {};
  t.equal(probe['polluted'], undefined);
  t.equal(probe['x'], undefined);
});

t.test(
  'what the fuzzing found stays fixed: router refusals come from the error table',
  async (t) => {
    const cases: [string, string][] = [
      ['a URL that is not valid UTF-8', '/meetings/x%ED%A0%80y'],
      ['a path parameter over the router limit', `/meetings/${'a'.repeat(150)}`],
      ['a malformed tree index', '/log/proof/e%CC%81'],
    ];
    for (const [name, url] of cases) {
      const res = await w.app.inject({ method: 'GET', url });
      t.equal(res.statusCode, 400, name);
      t.equal(res.json().code, 'VALIDATION_FAILED', name);
    }
    const proof = OPS.find((o) => o.template === '/log/proof/{index}');
    t.ok(proof?.responses.has(400), '/log/proof documents its 400');
    for (const path of ['/log/checkpoint', '/log/key', '/log/proof/{index}', '/log/consistency']) {
      t.ok(OPS.find((o) => o.template === path)?.responses.has(429), `${path} documents its 429`);
    }
  }
);
