/**
 * `decide(state, input)`: what one signed command does under the rules P1–P16. Pure: no I/O, no
 * clock of its own (the entry's service receive time arrives as `input.time`), no randomness.
 * Signatures are verified by the caller; the engine identifies the signer by its public key
 * through the key registry in the state, valid from its registration entry until its revocation
 * entry (positions on the ledger, never the `ts` a command claims).
 *
 * Trust boundary: `input` may come from a ledger file handed to an auditor. Its shape is checked
 * before anything else; a malformed input is refused with a code, never an uncaught exception.
 */
import { hasWellFormedStrings } from '@yishi/crypto';
import {
  COMMAND_SCHEMAS,
  SignedCommandSchema,
  type CommandType,
  type LedgerEntry,
} from '@yishi/schema';
import { Compile } from 'typebox/compile';
import * as admin from './commands/admin.js';
import * as items from './commands/items.js';
import * as meetings from './commands/meetings.js';
import * as oversight from './commands/oversight.js';
import * as recon from './commands/reconsideration.js';
import * as records from './commands/records.js';
import * as votes from './commands/votes.js';
import { withRule } from './actor-rules.js';
import { actor, own, type Ctx, type Derived, type Handler } from './context.js';
import { isRefusal, refuse, type Refusal } from './error.js';
import { sweepExpired } from './expiry.js';
import type { KeyReset, State } from './state.js';

/**
 * What the engine needs of an entry to decide it: `seq`, its position on the ledger (the state's
 * `seq` + 1); `time`, the service's receive time in ms since the epoch (the engine's clock); and
 * the signed `command`.
 */
export type DecideInput = Pick<LedgerEntry, 'seq' | 'time' | 'command'>;

/** Accepted (with the derived JSON to write to the entry and the new state) or refused. */
export type Decision =
  { ok: true; state: State; derived: Derived } | { ok: false; refusal: Refusal };

const HANDLERS: { [K in CommandType]: Handler<K> } = {
  'ledger.genesis': admin.genesis,
  'body.create': admin.bodyCreate,
  'principal.register': admin.principalRegister,
  'principal.update_role': admin.principalUpdateRole,
  'membership.end': admin.membershipEnd,
  'member.suspend': admin.memberSuspend,
  'member.reinstate': admin.memberReinstate,
  'key.rotate': admin.keyRotate,
  'key.confirm': admin.keyConfirm,
  'key.revoke': admin.keyRevoke,
  'rulebook.set': admin.rulebookSet,
  'auditor.appoint': admin.auditorAppoint,
  'ruling.register': admin.rulingRegister,
  'report.acknowledge': admin.reportAcknowledge,
  'meeting.schedule': meetings.meetingSchedule,
  'meeting.cancel': meetings.meetingCancel,
  'meeting.open': meetings.meetingOpen,
  'meeting.arrive': meetings.meetingArrive,
  'meeting.depart': meetings.meetingDepart,
  'meeting.close': meetings.meetingClose,
  'item.submit': items.itemSubmit,
  'item.withdraw': items.itemWithdraw,
  'item.deliberate': items.itemDeliberate,
  'item.recuse': items.itemRecuse,
  'opinion.submit': items.opinionSubmit,
  'statement.record': items.statementRecord,
  'item.mark_urgent': items.itemMarkUrgent,
  'item.defer': items.itemDefer,
  'item.escalate': items.itemEscalate,
  'item.resubmit': items.itemResubmit,
  'vote.open': votes.voteOpen,
  'vote.cast': votes.voteCast,
  'ballot.receipt': votes.ballotReceipt,
  'tally.sign': votes.tallySign,
  'vote.close': votes.voteClose,
  'reconsideration.open': recon.reconsiderationOpen,
  'reconsideration.vote': recon.reconsiderationVote,
  'reconsideration.close': recon.reconsiderationClose,
  'objection.raise': oversight.objectionRaise,
  'objection.answer': oversight.objectionAnswer,
  'interference.record': oversight.interferenceRecord,
  'record.sign': records.recordSign,
  'erratum.record': records.erratumRecord,
};

type Check = (value: unknown) => boolean;
const signedCheck: { fn: Check | null } = { fn: null };
const payloadChecks = new Map<string, ReturnType<typeof Compile>>();

function payloadValidator(type: CommandType) {
  let v = payloadChecks.get(type);
  if (!v) {
    v = Compile(COMMAND_SCHEMAS[type]);
    payloadChecks.set(type, v);
  }
  return v;
}

function signedShapeOk(cmd: unknown): boolean {
  if (!signedCheck.fn) {
    const v = Compile(SignedCommandSchema);
    signedCheck.fn = (x) => v.Check(x);
  }
  return signedCheck.fn(cmd);
}

/**
 * Decide one command. On acceptance the returned `state` IS the input state object, mutated in
 * place (for replay speed): keep a `structuredClone` if you need the state before. On refusal the
 * input state is untouched: every handler validates fully before its effect runs.
 */
export function decide(state: State, input: DecideInput): Decision {
  if (typeof input !== 'object' || input === null) return no(refuse('MALFORMED_COMMAND'));
  const { seq, time, command } = input;
  if (!Number.isSafeInteger(seq) || seq !== state.seq + 1) {
    return no(refuse('SEQ_OUT_OF_ORDER', undefined, { expected: state.seq + 1, got: seq }));
  }
  if (!Number.isSafeInteger(time) || time < 0 || time < state.time) {
    return no(refuse('TIME_REGRESSION', undefined, { previous: state.time, got: time }));
  }
  if (!signedShapeOk(command)) return no(refuse('MALFORMED_COMMAND', undefined, { at: 'command' }));
  const type = command.payload.type;
  if (!Object.hasOwn(COMMAND_SCHEMAS, type))
    return no(refuse('UNKNOWN_COMMAND', undefined, { type }));
  const t = type as CommandType;
  const v = payloadValidator(t);
  if (!v.Check(command.payload)) {
    const errors = v
      .Errors(command.payload)
      .slice(0, 3)
      .map((e) => ({ path: e.instancePath, keyword: e.keyword }));
    return no(refuse('MALFORMED_COMMAND', undefined, { type, errors }));
  }
  if (!hasWellFormedStrings(command.payload)) {
    return no(
      refuse('MALFORMED_COMMAND', undefined, { type, errors: [{ keyword: 'wellFormedUnicode' }] })
    );
  }
  if (state.ledger === null && t !== 'ledger.genesis') return no(refuse('GENESIS_REQUIRED'));
  const wrongLedger = ledgerMismatch(state, t, command.payload.ledger);
  if (wrongLedger) return no(wrongLedger);
  const ctx: Ctx = { state, seq, time, publicKey: command.publicKey };
  const readOnly = auditorRefusal(ctx, t);
  if (readOnly !== undefined) return no(withRule(t, readOnly));
  const handler = HANDLERS[t] as Handler<CommandType>;
  const r = handler(ctx, command.payload as never);
  if (isRefusal(r)) return no(withRule(t, r));
  // The service refuses a command whose ts is more than the window from its clock; checking it
  // here too (after the signer's own refusals, before any effect) makes an auditor's replay
  // enforce it, so nonces need only be unique within the window.
  if (Math.abs(command.payload.ts - time) > TS_WINDOW_MS) {
    return no(
      refuse('TS_OUT_OF_WINDOW', undefined, {
        ts: command.payload.ts,
        time,
        windowMs: TS_WINDOW_MS,
      })
    );
  }
  const reset = resetOfSigner(state, command.publicKey);
  const derived = r();
  // Issue 13: whatever a key set by an admin signs is flagged, until the principal confirms it.
  if (reset !== undefined && t !== 'key.confirm') {
    derived.keySetByAdmin = { by: reset.by, resetSeq: reset.fromSeq };
  }
  state.seq = seq;
  state.time = time;
  const expired = sweepExpired(state, time);
  if (expired.length > 0) derived.expired = expired;
  return { ok: true, state, derived };
}

/**
 * How far (ms) a command's signed `ts` may be from its entry's time, either way: the service's
 * clock-skew window, enforced on replay too.
 */
export const TS_WINDOW_MS = 5 * 60_000;

/** Commands an auditor may sign: only the upkeep of its own key (the handlers check "own"). */
const AUDITOR_MAY: ReadonlySet<CommandType> = new Set(['key.rotate', 'key.revoke', 'key.confirm']);

/**
 * Auditors read and never write: any other command signed by a valid auditor key is refused
 * with ROLE_NOT_ALLOWED, under the command's rule (`ACTOR_RULES`; an invalid key is left to the
 * handler's own refusal).
 */
function auditorRefusal(ctx: Ctx, type: CommandType): Refusal | undefined {
  const a = actor(ctx);
  if (isRefusal(a) || a.role !== 'auditor' || AUDITOR_MAY.has(type)) return undefined;
  return refuse('ROLE_NOT_ALLOWED', undefined, { role: a.role, type });
}

/** The open key reset of the signer's principal, if the signer's key is one an admin set. */
function resetOfSigner(state: State, publicKey: string): KeyReset | undefined {
  const k = own(state.keys, publicKey);
  const p = k === undefined ? undefined : own(state.principals, k.principalId);
  return p === undefined ? undefined : admin.openKeyReset(p);
}

/**
 * Protocol v2 binds every command to its ledger: refused when `ledger` names another ledger, or
 * is missing on a ledger begun under v2. A v1 ledger's history names no ledger and replays as it
 * was; the service accepts no new command without `ledger` on any ledger.
 */
function ledgerMismatch(state: State, type: CommandType, ledger: unknown): Refusal | null {
  if (type === 'ledger.genesis' || state.ledger === null) return null;
  const ok = ledger === undefined ? state.ledger.protocol !== 2 : ledger === state.ledger.ledgerId;
  if (ok) return null;
  return refuse('WRONG_LEDGER', undefined, {
    expected: state.ledger.ledgerId,
    got: ledger ?? null,
  });
}

function no(refusal: Refusal): Decision {
  return { ok: false, refusal };
}
