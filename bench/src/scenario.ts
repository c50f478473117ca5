// Realistic ledgers for the benchmarks: committees whose meetings run under the rules of
// procedure (schedule, agenda in advance, quorum, statements with the chair last, roll-call
// votes, reports acknowledged, the record signed by the recorder and the chair), every command
// decided by @yishi/procedure exactly as the service decides it and signed by its principal.
// Signing runs on worker threads while the main thread decides and appends.
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { parseSecretKey } from '@yishi/crypto';
import { decide, initialState, replayEntry, type State } from '@yishi/procedure';
import { SIGNING_CONTEXTS, type SignedCommand } from '@yishi/schema';
import { Checkpointer, initDataDir, LedgerStore, type InitResult } from '@yishi/service/internal';
import { nonce, Principal } from './keys.js';
import { SignPool } from './sign-pool.js';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
/** 2025-03-03 09:00 China Standard Time. */
export const T0 = Date.UTC(2025, 2, 3, 1, 0, 0);
/** The engine does not check signatures: commands are decided with this, then signed. */
const UNSIGNED = `${'A'.repeat(86)}==`;
const BATCH = 4096;

type Payload = { type: string } & Record<string, unknown>;
type Derived = Record<string, unknown>;

interface Pending {
  signer: Principal;
  command: SignedCommand;
  derived: unknown;
  time: number;
}

/** Options of {@link LedgerBuilder.create}. */
export interface BuilderOptions {
  /** Namespace of the derived principal keys. */
  namespace: string;
  /** A checkpoint is signed after every this many entries (and at the end). */
  checkpointEvery: number;
  /** Signing threads. */
  signers: number;
  /** Called after each appended batch with the ledger size. */
  onAppend?: (size: number, store: LedgerStore) => void;
}

/**
 * Decides commands on the engine's state and appends them, signed, to a real ledger. Each
 * command advances the clock by one second.
 */
export class LedgerBuilder {
  now: number;
  private pending: Pending[] = [];
  private readonly inFlight: Promise<void>[] = [];
  private lastCheckpoint = 0;

  private constructor(
    readonly init: InitResult,
    readonly admin: Principal,
    readonly store: LedgerStore,
    private state: State,
    private readonly checkpointer: Checkpointer,
    private readonly pool: SignPool,
    private readonly opts: BuilderOptions
  ) {
    this.now = state.time + 1000;
  }

  /** A new ledger in `dir` (yishi init with the clock at T0), its genesis replayed. */
  static async create(dir: string, opts: BuilderOptions): Promise<LedgerBuilder> {
    const init = await initDataDir(dir, { clock: () => T0 });
    const adminSeed = parseSecretKey(readFileSync(init.paths.adminKey, 'utf8').trim()).secretKey;
    const admin = new Principal('admin', adminSeed);
    const store = LedgerStore.open(init.paths.db);
    const skey = readFileSync(init.paths.logKey, 'utf8').trim();
    const checkpointer = new Checkpointer(store, { skey, origin: init.origin });
    const replayed = replayEntry(initialState(), store.entry(0));
    if (replayed.findings.length > 0) throw new Error('the genesis does not replay');
    const pool = new SignPool(opts.signers, SIGNING_CONTEXTS.command);
    return new LedgerBuilder(init, admin, store, replayed.state, checkpointer, pool, opts);
  }

  get size(): number {
    return this.state.seq + 1;
  }

  /** Decides `payload` signed by `signer`; throws if the rules refuse it. Returns the derived. */
  send(signer: Principal, payload: Payload): Derived {
    const command: SignedCommand = {
      payload: { ledger: this.init.ledgerId, ...payload, ts: this.now, nonce: nonce() },
      publicKey: signer.publicKey,
      signature: UNSIGNED,
    };
    const d = decide(this.state, { seq: this.state.seq + 1, time: this.now, command });
    if (!d.ok) {
      throw new Error(
        `${payload.type} by ${signer.id} refused: ${d.refusal.code} ${JSON.stringify(d.refusal.details ?? {})}`
      );
    }
    this.state = d.state;
    const derived = JSON.parse(JSON.stringify(d.derived)) as Derived;
    this.pending.push({ signer, command, derived, time: this.now });
    this.now += 1000;
    return derived;
  }

  /** Hands a full batch to the signers and the store; keeps at most two batches in flight. */
  async pace(): Promise<void> {
    if (this.pending.length >= BATCH) this.flush();
    while (this.inFlight.length >= 2) await this.inFlight.shift();
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    const signatures = this.pool.sign(
      batch.map((p) => ({
        seed: Buffer.from(p.signer.seed).toString('hex'),
        payload: p.command.payload,
      }))
    );
    const previous = this.inFlight[this.inFlight.length - 1] ?? Promise.resolve();
    this.inFlight.push(
      (async () => {
        const sigs = await signatures;
        await previous;
        batch.forEach((p, i) => (p.command.signature = sigs[i] as string));
        const first = this.store.size;
        const results = this.store.appendBatch(
          batch.map((p) => ({ command: p.command, derived: p.derived, time: p.time }))
        );
        results.forEach((r, i) => {
          if (!r.ok || r.entry.seq !== first + i) throw new Error(`append failed at ${first + i}`);
        });
        if (this.store.size - this.lastCheckpoint >= this.opts.checkpointEvery) {
          this.checkpointer.checkpointNow();
          this.lastCheckpoint = this.store.size;
        }
        this.opts.onAppend?.(this.store.size, this.store);
      })()
    );
  }

  /** Appends what is left, signs a last checkpoint, and closes the store and the signers. */
  async finish(): Promise<void> {
    this.flush();
    while (this.inFlight.length > 0) await this.inFlight.shift();
    this.checkpointer.checkpointNow();
    this.store.close();
    await this.pool.close();
  }
}

/** A committee: its chair, voting members and recorder. */
export interface Committee {
  bodyId: string;
  chair: Principal;
  members: Principal[];
  recorder: Principal;
}

/** The chair first, then the members. */
export const votersOf = (c: Committee): Principal[] => [c.chair, ...c.members];

const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

/** Registers `count` committees of `voters` voting members (the chair included) and a recorder. */
export async function registerCommittees(
  b: LedgerBuilder,
  count: number,
  voters: number,
  namespace: string
): Promise<Committee[]> {
  const out: Committee[] = [];
  for (let i = 0; i < count; i++) {
    const bodyId = b.send(b.admin, { type: 'body.create', name: `第${i + 1}委员会` })[
      'bodyId'
    ] as string;
    const register = (id: string, role: string): Principal => {
      const p = Principal.derive(namespace, id);
      b.send(b.admin, {
        type: 'principal.register',
        principalId: id,
        name: `${id} 同志`,
        publicKey: p.publicKey,
        role,
        bodyId,
      });
      return p;
    };
    const chair = register(`b${i}-chair`, 'chair');
    const members: Principal[] = [];
    for (let m = 1; m < voters; m++) members.push(register(`b${i}-m${m}`, 'member'));
    const recorder = register(`b${i}-rec`, 'recorder');
    out.push({ bodyId, chair, members, recorder });
    await b.pace();
  }
  return out;
}

/** An item brought to an open vote. */
export interface OpenVote {
  committee: Committee;
  itemId: string;
  materialsDigest: string;
}

/**
 * Schedules one meeting per committee with `items` agenda items (submitted a week ahead, P3),
 * moves the clock to the start and opens them all with every voter present.
 */
async function scheduleAndOpen(
  b: LedgerBuilder,
  committees: Committee[],
  items: number,
  round: number
): Promise<{ committee: Committee; meetingId: string; items: OpenVote[] }[]> {
  const meetings = [];
  let start = 0;
  for (const c of committees) {
    start = b.now + 7 * DAY;
    const meetingId = b.send(c.chair, {
      type: 'meeting.schedule',
      bodyId: c.bodyId,
      kind: 'leadership',
      title: `${new Date(start).getUTCFullYear()}年第${round + 1}次会议`,
      scheduledStart: start,
    })['meetingId'] as string;
    const agenda: OpenVote[] = [];
    for (let k = 0; k < items; k++) {
      const submitter = c.members[(k + round) % c.members.length] as Principal;
      const d = b.send(submitter, {
        type: 'item.submit',
        meetingId,
        category: k === 0 && round % 2 === 0 ? 'major_decision' : 'routine',
        title: `关于第${round + 1}次会议第${k + 1}项议题的请示`,
        materials: [
          { title: '请示', sha256: sha(`${meetingId}/${k}/a`) },
          { title: '说明材料', sha256: sha(`${meetingId}/${k}/b`) },
        ],
      });
      agenda.push({
        committee: c,
        itemId: d['itemId'] as string,
        materialsDigest: d['materialsDigest'] as string,
      });
    }
    meetings.push({ committee: c, meetingId, items: agenda });
    await b.pace();
  }
  b.now = Math.max(b.now, start);
  for (const m of meetings) {
    b.send(m.committee.chair, {
      type: 'meeting.open',
      meetingId: m.meetingId,
      present: votersOf(m.committee).map((p) => p.id),
      absent: [],
      attendees: [],
    });
  }
  return meetings;
}

/** Deliberation to an open vote: every member states, the chair last (P7); one dissents. */
function toVote(b: LedgerBuilder, item: OpenVote, round: number): void {
  const c = item.committee;
  b.send(c.chair, { type: 'item.deliberate', itemId: item.itemId });
  c.members.forEach((m, i) => {
    const dissent = i === round % c.members.length;
    b.send(m, {
      type: 'statement.record',
      itemId: item.itemId,
      materialsDigest: item.materialsDigest,
      position: dissent ? 'disagree' : 'agree',
      ...(dissent ? { reasons: '资金来源和实施进度尚需进一步论证，建议补充可行性分析。' } : {}),
    });
  });
  b.send(c.chair, {
    type: 'statement.record',
    itemId: item.itemId,
    materialsDigest: item.materialsDigest,
    position: 'agree',
  });
  b.send(c.chair, {
    type: 'vote.open',
    itemId: item.itemId,
    materialsDigest: item.materialsDigest,
  });
}

/** A roll-call vote: one against (with the reason), the rest for. */
function castAll(b: LedgerBuilder, item: OpenVote, round: number): void {
  const voters = votersOf(item.committee);
  voters.forEach((v, i) => {
    const against = i === 1 + (round % (voters.length - 1));
    b.send(v, {
      type: 'vote.cast',
      itemId: item.itemId,
      materialsDigest: item.materialsDigest,
      choice: against ? 'against' : 'for',
      ...(against ? { reason: '同陈述理由。' } : {}),
    });
  });
}

/** Runs meetings round after round until the ledger holds at least `entries` entries. */
export async function runMeetings(
  b: LedgerBuilder,
  committees: Committee[],
  items: number,
  entries: number
): Promise<void> {
  for (let round = 0; b.size < entries; round++) {
    const meetings = await scheduleAndOpen(b, committees, items, round);
    for (const m of meetings) {
      const c = m.committee;
      for (const item of m.items) {
        toVote(b, item, round);
        castAll(b, item, round);
        const closed = b.send(c.chair, { type: 'vote.close', itemId: item.itemId });
        for (const r of (closed['reports'] ?? []) as { reportId: string }[]) {
          b.send(b.admin, { type: 'report.acknowledge', reportId: r.reportId });
        }
      }
      const { recordDigest } = b.send(c.chair, { type: 'meeting.close', meetingId: m.meetingId });
      b.send(c.recorder, { type: 'record.sign', meetingId: m.meetingId, recordDigest });
      b.send(c.chair, { type: 'record.sign', meetingId: m.meetingId, recordDigest });
      await b.pace();
      if (b.size >= entries) return;
    }
  }
}

/** One meeting per committee, opened, its single item brought to an open vote. */
export async function openVotes(b: LedgerBuilder, committees: Committee[]): Promise<OpenVote[]> {
  const meetings = await scheduleAndOpen(b, committees, 1, 0);
  const out: OpenVote[] = [];
  for (const m of meetings) {
    for (const item of m.items) {
      toVote(b, item, 0);
      out.push(item);
    }
    await b.pace();
  }
  return out;
}
