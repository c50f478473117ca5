/**
 * @yishi/procedure — the pure rules-of-procedure engine (P1–P16 of `shared/spec/procedure.md`):
 * `decide(state, command)`, `replay(entries)`, the record and the minutes. No I/O, no clock, no
 * randomness; runs in Node and in a browser. This file is the package's only door.
 */
export { initialState } from './state.js';
export type {
  State,
  Principal,
  KeyRecord,
  Body,
  BodyRole,
  Meeting,
  RosterEntry,
  AttendanceEvent,
  Item,
  ItemState,
  Recusal,
  Opinion,
  Statement,
  Ballot,
  Receipt,
  TallySignature,
  Vote,
  Counts,
  Outcome,
  Motion,
  Returnable,
  Escalation,
  Objection,
  Adopted,
  CadreAttempts,
  PendingReport,
  ReportKind,
  Addressee,
  Archived,
} from './state.js';
export { TS_WINDOW_MS, decide } from './decide.js';
export type { Decision, DecideInput } from './decide.js';
export { own } from './context.js';
export type { Derived } from './context.js';
export { replay, replayEntry, skipEntry, scopedDerivedEqual } from './replay.js';
export type { ReplayOptions } from './replay.js';
export { EntryBodies, UNKNOWN_SCOPE, inScope } from './scope.js';
export {
  RULE_IDS,
  REFUSAL_CODES,
  REFUSAL_MESSAGES,
  REFUSALS,
  REPLAY_CODES,
  ReplayError,
  isRefusal,
  rulesOfCode,
} from './error.js';
export type { RuleId, RuleOf, RefusalCode, Refusal, ReplayCode, ReplayFinding } from './error.js';
export { RULES, rulesOfCommand } from './rules.js';
export { ACTOR_RULES, PRESENCE_RULES, ruleOfRefusal } from './actor-rules.js';
export type { Rule } from './rules.js';
export { RULEBOOK_DEFAULTS, defaultRulebook, mergeRulebook } from './rulebook.js';
export type { Rulebook } from './rulebook.js';
export { exceeds, atLeast } from './fraction.js';
export type { Fraction } from './fraction.js';
export { proposalDigest } from './digest.js';
export type { Proposal } from './digest.js';
export { buildRecord, recordDigest } from './record.js';
export type {
  MeetingRecord,
  ItemRecord,
  MotionRecord,
  ObjectionRecord,
  PersonRef,
  Dissent,
  KeyResetMark,
} from './record.js';
export { buildMinutes } from './minutes.js';
export type { Minutes, MinutesDecision } from './minutes.js';
export {
  renderRecordMarkdown,
  renderMinutesMarkdown,
  minutesLabel,
  formatYuan,
  formatChineseDate,
} from './markdown.js';
export type { Report } from './reports.js';
