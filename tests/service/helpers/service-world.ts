/**
 * A yishi app over a fresh ledger, driven through HTTP (`app.inject`) with an injected clock and
 * generated keys: principals sign their commands and reads exactly as clients do.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  base64Encode,
  EMPTY_BODY_DIGEST,
  generateSecretKey,
  getPublicKey,
  parseSecretKey,
  signReadRequest,
} from '@yishi/crypto';
import type { SignedCommand } from '@yishi/schema';
import { signCommand } from '@yishi/sdk';
import {
  buildApp,
  Checkpointer,
  COMMAND_ROUTES,
  initDataDir,
  LedgerStore,
  type AppOptions,
  type InitResult,
} from '@yishi/service/internal';
import { tempDir } from '../../helpers/ledger-fixture.js';

export const HOUR = 3_600_000;
export const DAY = 86_400_000;
/** 2025-03-03 09:00 China Standard Time. */
export const T0 = Date.UTC(2025, 2, 3, 1, 0, 0);
export const SHA_A = 'a'.repeat(64);
export const SHA_B = 'b'.repeat(64);
export const VOTERS = ['chair', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8'] as const;

type App = Awaited<ReturnType<typeof buildApp>>;

/** A resolver that knows no name (tests never query DNS). */
const offlineResolver = async (host: string): Promise<never> => {
  throw new Error(`no DNS in tests: ${host}`);
};
type Payload = { type: string } & Record<string, unknown>;

interface Res {
  statusCode: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: string;
  json: () => any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** The URL of the route that takes `payload`, its path parameters filled from the payload. */
export function urlOf(payload: Payload): string {
  const route = COMMAND_ROUTES.find((r) => r.type === payload.type);
  if (!route) throw new Error(`no route for ${payload.type}`);
  return route.url.replace(/:([A-Za-z]+)/g, (_m, name: string) => String(payload[name]));
}

export class ServiceWorld {
  now = T0;
  readonly clock = () => this.now;
  /** Principal id → secret key. */
  readonly keys: Record<string, Uint8Array> = {};
  bodyId = '';
  otherBodyId = '';

  private constructor(
    readonly app: App,
    readonly store: LedgerStore,
    readonly init: InitResult,
    readonly skey: string
  ) {}

  /** A fresh ledger and app; `extra` options go to buildApp. */
  static async create(
    t: { teardown(fn: () => unknown): void },
    extra: Partial<AppOptions> = {},
    clockStart = T0
  ): Promise<ServiceWorld> {
    const dir = tempDir(t);
    let now = clockStart;
    const init = await initDataDir(join(dir, 'data'), { clock: () => now });
    const skey = readFileSync(init.paths.logKey, 'utf8').trim();
    const store = LedgerStore.open(init.paths.db);
    const holder: { w?: ServiceWorld } = {};
    const app = await buildApp({
      store,
      checkpointer: new Checkpointer(store, { skey }),
      logVkey: init.vkey,
      logSkey: skey,
      serviceDb: join(dir, 'data', 'service.db'),
      clock: () => holder.w?.now ?? now,
      ...extra,
      // No test looks a name up in DNS: names resolve only where a test stubs them.
      webhooks: { resolve: offlineResolver, ...extra.webhooks },
    });
    const w = new ServiceWorld(app, store, init, skey);
    w.now = now;
    holder.w = w;
    now = w.now;
    w.keys['admin'] = parseSecretKey(readFileSync(init.paths.adminKey, 'utf8').trim()).secretKey;
    t.teardown(async () => {
      await app.close();
      store.close();
    });
    return w;
  }

  publicKey(id: string): string {
    const k = this.keys[id];
    if (!k) throw new Error(`no key for ${id}`);
    return base64Encode(getPublicKey(k));
  }

  /** `payload` signed by `signer` now (or with the given ts/nonce). */
  sign(signer: string, payload: Payload): SignedCommand {
    const k = this.keys[signer];
    if (!k) throw new Error(`no key for ${signer}`);
    // Protocol v2: the command names this world's ledger unless the test names another.
    return signCommand({ ledger: this.init.ledgerId, ...payload }, k, this.clock);
  }

  /** POSTs a signed command to its route. */
  async send(
    signer: string | SignedCommand,
    payload?: Payload,
    headers: Record<string, string> = {}
  ): Promise<Res> {
    const command = typeof signer === 'string' ? this.sign(signer, payload as Payload) : signer;
    return this.app.inject({
      method: 'POST',
      url: urlOf(command.payload as Payload),
      payload: command,
      headers,
    }) as Promise<Res>;
  }

  /** Sends and requires 201; returns `derived`. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async ok(signer: string, payload: Payload): Promise<Record<string, any>> {
    const res = await this.send(signer, payload);
    if (res.statusCode !== 201) {
      throw new Error(`${payload.type} by ${signer}: ${res.statusCode} ${res.body}`);
    }
    return res.json().derived;
  }

  /** A signed GET as `reader` (or unsigned with null). */
  async get(url: string, reader: string | null, headers: Record<string, string> = {}) {
    const h: Record<string, string> = { ...headers };
    if (reader !== null) {
      const k = this.keys[reader];
      if (!k) throw new Error(`no key for ${reader}`);
      const q = url.indexOf('?');
      h['authorization'] = signReadRequest(
        {
          ledger: this.init.ledgerId,
          method: 'GET',
          path: q < 0 ? url : url.slice(0, q),
          query: q < 0 ? '' : url.slice(q + 1),
          bodyDigest: EMPTY_BODY_DIGEST,
          ts: this.now,
        },
        k
      );
    }
    return this.app.inject({ method: 'GET', url, headers: h }) as Promise<Res>;
  }

  /** Registers a principal with a fresh key. */
  async register(id: string, role: string, bodyId: string | null, votes?: boolean) {
    this.keys[id] = generateSecretKey();
    const p: Payload = {
      type: 'principal.register',
      principalId: id,
      name: `name of ${id}`,
      publicKey: this.publicKey(id),
      role,
    };
    if (bodyId !== null) p['bodyId'] = bodyId;
    if (votes !== undefined) p['votes'] = votes;
    return this.ok('admin', p);
  }

  /**
   * Body A: a chair and eight members (nine voting), a recorder, a non-voting discipline
   * secretary, an attendee; an auditor appointed to it and one appointed to nothing; body B with
   * its own chair and member.
   */
  async populate(): Promise<this> {
    this.bodyId = (await this.ok('admin', { type: 'body.create', name: '某市委常委会' })).bodyId;
    for (const id of VOTERS)
      await this.register(id, id === 'chair' ? 'chair' : 'member', this.bodyId);
    await this.register('rec', 'recorder', this.bodyId);
    await this.register('disc', 'discipline', this.bodyId, false);
    await this.register('att', 'attendee', this.bodyId);
    await this.register('aud', 'auditor', null);
    await this.register('aud2', 'auditor', null);
    await this.ok('admin', {
      type: 'auditor.appoint',
      principalId: 'aud',
      bodyIds: [this.bodyId],
    });
    this.otherBodyId = (
      await this.ok('admin', { type: 'body.create', name: '某县委常委会' })
    ).bodyId;
    await this.register('chairb', 'chair', this.otherBodyId);
    await this.register('mb', 'member', this.otherBodyId);
    return this;
  }

  /** Schedules a meeting of body A `inHours` from now. */
  async schedule(inHours = 7 * 24, kind = 'leadership'): Promise<string> {
    return (
      await this.ok('chair', {
        type: 'meeting.schedule',
        bodyId: this.bodyId,
        kind,
        title: '常委会会议',
        scheduledStart: this.now + inHours * HOUR,
      })
    ).meetingId;
  }

  /** Submits an item; returns its id and materials digest. */
  async submit(meetingId: string, by = 'm1', category = 'major_decision') {
    const p: Payload = {
      type: 'item.submit',
      meetingId,
      category,
      title: `议题 ${category}`,
      materials: [{ title: '请示', sha256: SHA_A }],
    };
    if (category === 'large_funds') p['amount'] = 5_000_000;
    const d = await this.ok(by, p);
    return { itemId: d.itemId as string, digest: d.materialsDigest as string };
  }

  /** Opens a meeting at its start with `present` voters (the rest absent); the attendee and the
   * non-voting discipline secretary attend. */
  async open(meetingId: string, start: number, present: readonly string[] = VOTERS) {
    if (this.now < start) this.now = start;
    return this.ok('chair', {
      type: 'meeting.open',
      meetingId,
      present: [...present],
      absent: VOTERS.filter((v) => !present.includes(v)).map((principalId) => ({
        principalId,
        reason: '出差',
      })),
      attendees: ['att', 'disc'],
    });
  }

  /** The ledger's size. */
  get size(): number {
    return this.store.size;
  }
}
