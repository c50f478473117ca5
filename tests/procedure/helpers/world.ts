/**
 * Test builder for the procedure engine: a ledger with a genesis, an admin, and a 9-member body
 * (chair + m1…m8 voting; a recorder, a non-voting discipline observer and an attendee), plus
 * helpers that sign-look commands and drive meetings. The engine does not check signatures, so
 * commands carry a fixed fake signature; public keys are real base64 of 32 bytes.
 */
import { isDeepStrictEqual } from 'node:util';
import { base64Encode, getPublicKey, sha256, utf8Encode } from '@yishi/crypto';
import {
  buildMinutes,
  buildRecord,
  decide,
  initialState,
  type Decision,
  type Derived,
  type Refusal,
  type State,
} from '@yishi/procedure';
import {
  LiveItemSchema,
  MeetingRecordSchema,
  MinutesSchema,
  type LedgerEntry,
  type RulebookParams,
} from '@yishi/schema';
import { assertDerived, assertSchema } from '../../helpers/schema-check.js';

export const HOUR = 3_600_000;
export const DAY = 86_400_000;
/** 2025-03-03 09:00 China Standard Time. */
export const T0 = Date.UTC(2025, 2, 3, 1, 0, 0);
export const FAKE_SIGNATURE = `${'A'.repeat(86)}==`;
export const SHA_A = 'a'.repeat(64);
export const SHA_B = 'b'.repeat(64);

const keyCache = new Map<string, string>();

/** The ledger id the test world's genesis declares. */
export const TEST_LEDGER = 'test-ledger';

/** A real Ed25519 public key (standard base64) derived from a name, as registration requires. */
export function keyOf(name: string): string {
  let key = keyCache.get(name);
  if (key === undefined) {
    key = base64Encode(getPublicKey(sha256(utf8Encode(`test-key:${name}`))));
    keyCache.set(name, key);
  }
  return key;
}

/** The nine voting members: the chair first. */
export const VOTERS = ['chair', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8'] as const;
export const MEMBERS = VOTERS.slice(1);

export class Ledger {
  state: State = initialState();
  time: number;
  entries: LedgerEntry[] = [];
  /** Principal id (or `log`) → the key it signs with now. */
  keys: Record<string, string> = {};
  private nonce = 0;

  constructor(time = T0) {
    this.time = time;
  }

  get seq(): number {
    return this.state.seq + 1;
  }

  /** Sign-look a command as `signer` (a principal id, `log`, or a raw base64 key). */
  command(signer: string, payload: Record<string, unknown>) {
    const publicKey = this.keys[signer] ?? (signer.length === 44 ? signer : keyOf(signer));
    this.nonce++;
    return {
      payload: {
        ts: this.time,
        nonce: this.nonce.toString(16).padStart(32, '0'),
        // Protocol v2: every command names its ledger, the genesis too, which also declares
        // the protocol (a test may name another ledger, or none for a v1 ledger).
        ...(payload['type'] === 'ledger.genesis'
          ? { ledger: payload['ledgerId'], protocol: 2 }
          : { ledger: this.state.ledger?.ledgerId ?? TEST_LEDGER }),
        ...payload,
      },
      publicKey,
      signature: FAKE_SIGNATURE,
    } as LedgerEntry['command'];
  }

  /** Decide a command; on acceptance, append the entry. */
  send(signer: string, payload: Record<string, unknown>): Decision {
    const command = this.command(signer, payload);
    const d = decide(this.state, { seq: this.seq, time: this.time, command });
    if (d.ok) {
      this.entries.push({
        v: 1,
        seq: d.state.seq,
        prev: '0'.repeat(64),
        time: this.time,
        salt: '0'.repeat(32),
        command,
        derived: JSON.parse(JSON.stringify(d.derived)) as unknown,
      });
      this.state = d.state;
      checkSchemas(d.state, String(payload['type']), this.entries.at(-1)?.derived);
    }
    return d;
  }

  /** Send and require acceptance; returns the derived JSON. */
  ok(signer: string, payload: Record<string, unknown>): Derived {
    const d = this.send(signer, payload);
    if (!d.ok) {
      throw new Error(
        `expected ${String(payload.type)} by ${signer} to be accepted, got ${d.refusal.code}: ${JSON.stringify(d.refusal.details ?? {})}`
      );
    }
    return d.derived;
  }

  /** Send and require refusal; returns the refusal. The state must not change. */
  no(signer: string, payload: Record<string, unknown>): Refusal {
    const before = structuredClone(this.state);
    const d = this.send(signer, payload);
    if (d.ok) throw new Error(`expected ${String(payload.type)} by ${signer} to be refused`);
    if (!isDeepStrictEqual(before, this.state)) {
      throw new Error(`refused ${String(payload.type)} changed the state`);
    }
    return d.refusal;
  }

  advance(ms: number): void {
    this.time += ms;
  }
}

/**
 * Issue 15: every accepted command's derived value matches its schema in @yishi/schema, and so do
 * the live item it touched and, at a close, the meeting's record and minutes.
 */
function checkSchemas(state: State, type: string, derived: unknown): void {
  assertDerived(type, derived);
  const d = derived as Record<string, unknown>;
  const itemId = d['itemId'];
  if (typeof itemId === 'string' && Object.hasOwn(state.items, itemId)) {
    assertSchema(LiveItemSchema, JSON.parse(JSON.stringify(state.items[itemId])), 'live item');
  }
  if (type === 'meeting.close' && typeof d['meetingId'] === 'string') {
    const record = buildRecord(state, d['meetingId']);
    assertSchema(MeetingRecordSchema, JSON.parse(JSON.stringify(record)), 'record');
    assertSchema(MinutesSchema, JSON.parse(JSON.stringify(buildMinutes(record))), 'minutes');
  }
}

export interface WorldOptions {
  rulebook?: RulebookParams;
  /** Voting discipline secretary in addition to the nine (default: non-voting observer). */
  disciplineVotes?: boolean;
}

/** A ledger with genesis, admin `admin`, one body of nine voting members and three non-voting. */
export class World extends Ledger {
  bodyId = '';

  static create(opts: WorldOptions = {}): World {
    const w = new World();
    w.keys.log = keyOf('log');
    w.ok('log', {
      type: 'ledger.genesis',
      ledgerId: TEST_LEDGER,
      origin: 'yishi.test/ledger',
      logPublicKey: keyOf('log'),
      admin: { principalId: 'admin', name: '上级党委组织部', publicKey: keyOf('admin') },
    });
    w.bodyId = w.ok('admin', { type: 'body.create', name: '某市委常委会' }).bodyId as string;
    const names: Record<string, string> = {
      chair: '张书记',
      m1: '李一',
      m2: '王二',
      m3: '赵三',
      m4: '钱四',
      m5: '孙五',
      m6: '周六',
      m7: '吴七',
      m8: '郑八',
    };
    for (const id of VOTERS) w.register(id, id === 'chair' ? 'chair' : 'member', names[id] ?? id);
    w.register('rec', 'recorder', '记录员');
    w.register('disc', 'discipline', '纪委书记', opts.disciplineVotes ?? false);
    w.register('att', 'attendee', '列席者');
    if (opts.rulebook)
      w.ok('admin', { type: 'rulebook.set', bodyId: w.bodyId, params: opts.rulebook });
    return w;
  }

  register(id: string, role: string, name = id, votes?: boolean, bodyId = this.bodyId): Derived {
    const p: Record<string, unknown> = {
      type: 'principal.register',
      principalId: id,
      name,
      publicKey: keyOf(id),
      role,
    };
    if (role !== 'admin' && role !== 'auditor') p.bodyId = bodyId;
    if (votes !== undefined) p.votes = votes;
    return this.ok('admin', p);
  }

  /** Schedule a meeting starting `inHours` from now; returns its id. */
  schedule(kind: 'leadership' | 'topical' = 'leadership', inHours = 7 * 24, by = 'chair'): string {
    return this.ok(by, {
      type: 'meeting.schedule',
      bodyId: this.bodyId,
      kind,
      title: kind === 'leadership' ? '常委会会议' : '专题会议',
      scheduledStart: this.time + inHours * HOUR,
    }).meetingId as string;
  }

  /** Submit an item; returns its id and materials digest. */
  submit(
    meetingId: string,
    category = 'major_decision',
    extra: Record<string, unknown> = {},
    by = 'm1'
  ): { itemId: string; digest: string } {
    const fields: Record<string, unknown> = {
      type: 'item.submit',
      meetingId,
      category,
      title: `议题 ${category}`,
      materials: [{ title: '请示', sha256: SHA_A }],
    };
    if (category === 'large_funds') fields.amount = 5_000_000;
    if (category === 'cadre_appointment') {
      fields.candidate = { name: '候选人甲' };
      fields.post = '某局局长';
    }
    const d = this.ok(by, { ...fields, ...extra });
    return { itemId: d.itemId as string, digest: d.materialsDigest as string };
  }

  /** Move time to the meeting's start and open it with `present` (other voters absent). */
  open(meetingId: string, present: readonly string[] = VOTERS, attendees: string[] = []): Derived {
    const m = this.state.meetings[meetingId];
    if (!m) throw new Error(`no meeting ${meetingId}`);
    if (this.time < m.scheduledStart) this.time = m.scheduledStart;
    const absent = VOTERS.filter((id) => !present.includes(id)).map((principalId) => ({
      principalId,
      reason: '出差',
    }));
    return this.ok('chair', {
      type: 'meeting.open',
      meetingId,
      present: [...present],
      absent,
      attendees,
    });
  }

  digestOf(itemId: string): string {
    const item = this.state.items[itemId];
    if (!item) throw new Error(`no item ${itemId}`);
    return item.materialsDigest;
  }

  deliberate(itemId: string): Derived {
    return this.ok('chair', { type: 'item.deliberate', itemId });
  }

  say(
    itemId: string,
    by: string,
    position: 'agree' | 'disagree' | 'defer',
    reasons?: string
  ): Derived {
    const p: Record<string, unknown> = {
      type: 'statement.record',
      itemId,
      materialsDigest: this.digestOf(itemId),
      position,
    };
    if (reasons !== undefined || position !== 'agree') p.reasons = reasons ?? `${by} 的理由`;
    return this.ok(by, p);
  }

  /** Statements by `positions` (principal → position) in the given order; the chair's last if listed. */
  stateAll(itemId: string, positions: Record<string, 'agree' | 'disagree' | 'defer'>): void {
    const order = Object.keys(positions).filter((id) => id !== 'chair');
    if ('chair' in positions) order.push('chair');
    for (const id of order) this.say(itemId, id, positions[id] as 'agree');
  }

  openVote(itemId: string, extra: Record<string, unknown> = {}): Derived {
    return this.ok('chair', {
      type: 'vote.open',
      itemId,
      materialsDigest: this.digestOf(itemId),
      ...extra,
    });
  }

  cast(
    itemId: string,
    by: string,
    choice: 'for' | 'against' | 'abstain',
    reason?: string
  ): Derived {
    const p: Record<string, unknown> = {
      type: 'vote.cast',
      itemId,
      materialsDigest: this.digestOf(itemId),
      choice,
    };
    if (reason !== undefined) p.reason = reason;
    return this.ok(by, p);
  }

  castAll(itemId: string, choices: Record<string, 'for' | 'against' | 'abstain'>): void {
    for (const [id, c] of Object.entries(choices)) this.cast(itemId, id, c);
  }

  closeVote(itemId: string): Derived {
    return this.ok('chair', { type: 'vote.close', itemId });
  }

  close(meetingId: string, by = 'chair'): Derived {
    return this.ok(by, { type: 'meeting.close', meetingId });
  }
}

/** `n` voters from VOTERS, the chair included. */
export function firstVoters(n: number): string[] {
  return VOTERS.slice(0, n);
}

/** Positions for the first `n` voters: `agree` unless listed in `others`. */
export function positions(
  voters: readonly string[],
  others: Record<string, 'agree' | 'disagree' | 'defer'> = {}
): Record<string, 'agree' | 'disagree' | 'defer'> {
  const out: Record<string, 'agree' | 'disagree' | 'defer'> = {};
  for (const v of voters) out[v] = others[v] ?? 'agree';
  return out;
}

/** A full item run to an open vote: deliberation, everyone agrees, vote opened. */
export function toVote(
  w: World,
  itemId: string,
  voters: readonly string[],
  extra: Record<string, unknown> = {}
): void {
  w.deliberate(itemId);
  w.stateAll(itemId, positions(voters));
  w.openVote(itemId, extra);
}
