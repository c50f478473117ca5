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
  type SignedCommand,
} from '@yishi/schema';
import { Compile } from 'typebox/compile';
import * as admin from './commands/admin.js';
import * as items from './commands/items.js';
import * as meetings from './commands/meetings.js';
import * as oversight from './commands/oversight.js';
import * as recon from './commands/reconsideration.js';
import * as records from './commands/records.js';
import * as votes from './commands/votes.js';
import type { Ctx, Derived, Handler } from './context.js';
import { isRefusal, refuse, type Refusal } from './error.js';
import { sweepExpired } from './expiry.js';
import type { State } from './state.js';

/** What the engine needs of an entry to decide it. */
export interface DecideInput {
  /** The entry's position on the ledger: the state's `seq` + 1. */
  seq: number;
  /** The service's receive time, ms since the epoch: the engine's clock. */
  time: number;
  command: SignedCommand;
}

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
  const handler = HANDLERS[t] as Handler<CommandType>;
  const r = handler(ctx, command.payload as never);
  if (isRefusal(r)) return no(r);
  const derived = r();
  state.seq = seq;
  state.time = time;
  const expired = sweepExpired(state, time);
  if (expired.length > 0) derived.expired = expired;
  return { ok: true, state, derived };
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
