/**
 * What the rules of procedure derive from each accepted command (P1–P16): the JSON that
 * `@yishi/procedure`'s `decide` writes to the ledger entry's `derived` and the service answers as
 * `CommandResult.derived`. One schema per command type in {@link DERIVED_SCHEMAS}; the engine's
 * tests check every derived value they produce against it, so schema and engine cannot drift.
 *
 * Derived values are on the ledger and auditors replay old ledgers comparing them exactly: their
 * shapes are frozen as they were written (decision 0020). Where a figure sits differently in two
 * of them (the denominator), {@link commandOutcome} gives it one place and one name.
 */
import { Type, type Static, type TProperties, type TSchema } from 'typebox';
import {
  MeetingKindSchema,
  PositionSchema,
  PrincipalIdSchema,
  RefIdSchema,
  ReportIdSchema,
  RoleSchema,
  RuleIdSchema,
  VoteMethodSchema,
  type CommandType,
} from './commands.js';
import { PublicKeySchema, Sha256HexSchema } from './ledger.js';
import {
  BasisSchema,
  CountsSchema,
  ItemResultSchema,
  KeySetByAdminSchema,
  MotionResultSchema,
  ReportSchema,
  RulebookSchema,
} from './records.js';
import { Count, Nullable, Seq, Time } from './primitives.js';

const Ids = Type.Array(RefIdSchema);
const Principals = Type.Array(PrincipalIdSchema);
const Reports = Type.Array(ReportSchema, { description: 'reports addressed upward (P13)' });

/**
 * Fields `decide` may add to any command's derived value: `keySetByAdmin` when the signer's key
 * is one an admin set and the principal has not confirmed (issue 13), `expired` when deferred
 * items expired at this entry's time (P10).
 */
const COMMON = {
  keySetByAdmin: Type.Optional(KeySetByAdminSchema),
  expired: Type.Optional(
    Type.Array(RefIdSchema, { description: 'deferred items that expired at this entry (P10)' })
  ),
};

function derived<P extends TProperties>(props: P, description?: string) {
  return Type.Object(
    { ...props, ...COMMON },
    { additionalProperties: false, ...(description === undefined ? {} : { description }) }
  );
}

/** How an item ended, as written to `derived` (P3, P4, P8–P10). */
const outcomeProps = {
  itemId: RefIdSchema,
  result: ItemResultSchema,
  rule: RuleIdSchema,
  basis: BasisSchema,
  counts: Nullable(CountsSchema),
  urgentOverride: Type.Boolean(),
  overrodeDeferral: Type.Boolean(),
};

/** P7 statements so far: voting members' positions. */
export const StatementCountsSchema = Type.Object(
  { agree: Count, disagree: Count, defer: Count, stated: Count },
  { additionalProperties: false }
);

const itemCreated = () =>
  derived({
    itemId: RefIdSchema,
    materialsDigest: Sha256HexSchema,
    adhoc: Type.Boolean(),
    previousItemId: Nullable(RefIdSchema),
    notify: Type.Array(PrincipalIdSchema, {
      description: 'the discipline role, notified of a major matter (P3)',
    }),
  });
const itemPrincipal = () => derived({ itemId: RefIdSchema, principalId: PrincipalIdSchema });
const meetingPrincipal = () => derived({ meetingId: RefIdSchema, principalId: PrincipalIdSchema });
const principalOnly = () => derived({ principalId: PrincipalIdSchema });
const rulebookDerived = () =>
  derived({
    bodyId: RefIdSchema,
    rulebookVersion: Type.Integer({ minimum: 1 }),
    rulebook: RulebookSchema,
  });

/**
 * The derived value of each command type. Adding a command type means adding one entry here:
 * a missing (or unknown) entry fails `tsc` through the `satisfies` below.
 */
export const DERIVED_SCHEMAS = {
  'ledger.genesis': derived({ ledgerId: Type.String(), adminId: PrincipalIdSchema }),
  'body.create': rulebookDerived(),
  'principal.register': derived({
    principalId: PrincipalIdSchema,
    role: RoleSchema,
    bodyId: Nullable(RefIdSchema),
    votes: Type.Boolean(),
  }),
  'principal.update_role': derived({
    principalId: PrincipalIdSchema,
    role: RoleSchema,
    votes: Type.Boolean(),
  }),
  'membership.end': derived({ principalId: PrincipalIdSchema, bodyId: RefIdSchema }),
  'member.suspend': principalOnly(),
  'member.reinstate': principalOnly(),
  'key.rotate': derived({
    principalId: PrincipalIdSchema,
    revoked: Type.Array(PublicKeySchema),
    setByAdmin: Type.Optional(PrincipalIdSchema),
    deliverTo: Type.Optional(Principals),
    reports: Type.Optional(Reports),
  }),
  'key.confirm': derived({
    principalId: PrincipalIdSchema,
    confirmedKey: PublicKeySchema,
    resetSeq: Seq,
  }),
  'key.revoke': principalOnly(),
  'rulebook.set': rulebookDerived(),
  'auditor.appoint': derived({ principalId: PrincipalIdSchema, bodyIds: Ids }),
  'ruling.register': Type.Union([
    derived({
      rulingId: RefIdSchema,
      itemId: RefIdSchema,
      decision: Type.Union([
        Type.Literal('approved'),
        Type.Literal('not_approved'),
        Type.Literal('returned'),
      ]),
      expiresAt: Type.Optional(Time),
    }),
    derived({
      rulingId: RefIdSchema,
      objectionId: RefIdSchema,
      decision: Type.Union([Type.Literal('upheld'), Type.Literal('dismissed')]),
    }),
  ]),
  'report.acknowledge': derived({ reportId: ReportIdSchema }),
  'meeting.schedule': derived({
    meetingId: RefIdSchema,
    kind: MeetingKindSchema,
    rulebookVersion: Type.Integer({ minimum: 1 }),
  }),
  'meeting.cancel': derived({
    meetingId: RefIdSchema,
    withdrawn: Ids,
    objectionsEscalated: Ids,
    reports: Reports,
  }),
  'meeting.open': derived({
    meetingId: RefIdSchema,
    denominator: Type.Integer({ minimum: 0, description: 'members who should attend (P4 应到会)' }),
    presentVoting: Count,
    agenda: Ids,
  }),
  'meeting.arrive': meetingPrincipal(),
  'meeting.depart': meetingPrincipal(),
  'meeting.close': derived({
    meetingId: RefIdSchema,
    deferred: Ids,
    objectionsEscalated: Ids,
    reports: Reports,
    minutes: Type.Object(
      { year: Type.Integer(), number: Type.Integer({ minimum: 1 }) },
      { additionalProperties: false }
    ),
    recordDigest: Sha256HexSchema,
  }),
  'item.submit': itemCreated(),
  'item.withdraw': derived(outcomeProps),
  'item.deliberate': derived({ itemId: RefIdSchema, materialsDigest: Sha256HexSchema }),
  'item.recuse': itemPrincipal(),
  'opinion.submit': itemPrincipal(),
  'statement.record': derived({
    itemId: RefIdSchema,
    principalId: PrincipalIdSchema,
    position: Nullable(PositionSchema),
  }),
  'item.mark_urgent': derived({ itemId: RefIdSchema }),
  'item.defer': derived({ ...outcomeProps, reports: Reports }),
  'item.escalate': derived({ itemId: RefIdSchema, reports: Reports }),
  'item.resubmit': itemCreated(),
  'vote.open': Type.Union([
    derived(
      {
        itemId: RefIdSchema,
        method: VoteMethodSchema,
        denominator: Count,
        eligible: Count,
        scrutineers: Principals,
        statements: StatementCountsSchema,
        urgent: Type.Boolean(),
      },
      'the vote opened'
    ),
    derived(
      { ...outcomeProps, statements: StatementCountsSchema, reports: Reports },
      'P8: the statements deferred the item instead (`result: deferred`)'
    ),
  ]),
  'vote.cast': itemPrincipal(),
  'ballot.receipt': itemPrincipal(),
  'tally.sign': derived({
    itemId: RefIdSchema,
    principalId: PrincipalIdSchema,
    signatures: Type.Integer({ minimum: 1, maximum: 2 }),
  }),
  'vote.close': derived({
    ...outcomeProps,
    quorum: Type.Object(
      { participants: Count, ok: Type.Boolean() },
      { additionalProperties: false }
    ),
    reports: Reports,
  }),
  'reconsideration.open': derived({
    motionId: RefIdSchema,
    itemId: RefIdSchema,
    denominator: Count,
  }),
  'reconsideration.vote': derived({ motionId: RefIdSchema, principalId: PrincipalIdSchema }),
  'reconsideration.close': derived({
    motionId: RefIdSchema,
    itemId: RefIdSchema,
    result: MotionResultSchema,
    rule: RuleIdSchema,
    counts: CountsSchema,
  }),
  'objection.raise': derived({
    objectionId: RefIdSchema,
    escalated: Type.Boolean(),
    reports: Reports,
  }),
  'objection.answer': derived({
    objectionId: RefIdSchema,
    answer: Type.Union([Type.Literal('corrected'), Type.Literal('rejected')]),
    escalated: Type.Boolean(),
    reports: Reports,
  }),
  'interference.record': derived({
    interferenceId: RefIdSchema,
    deliverTo: Principals,
    readableBy: Type.Array(Type.String()),
    reports: Reports,
  }),
  'record.sign': derived({
    meetingId: RefIdSchema,
    role: Type.Union([Type.Literal('recorder'), Type.Literal('chair')]),
    recordDigest: Sha256HexSchema,
    archived: Type.Boolean(),
  }),
  'erratum.record': derived({
    erratumId: RefIdSchema,
    meetingId: RefIdSchema,
    correctsSeq: Seq,
    recordDigest: Nullable(Sha256HexSchema),
  }),
} as const satisfies { [K in CommandType]: TSchema };

/** What the rules derived from an accepted command of type `K`. */
export type DerivedOf<K extends CommandType> = Static<(typeof DERIVED_SCHEMAS)[K]>;

/** Any derived value, tagged with its command type. */
export type AnyDerived = { [K in CommandType]: { type: K; derived: DerivedOf<K> } }[CommandType];

// ---------------------------------------------------------------------------------------------
// Explicit outcomes

/**
 * What an accepted command did, in one word: `opened` (a meeting, a vote, a reconsideration
 * motion), `adopted`, `rejected`, `deferred`, `withdrawn` (an item), `reopened` and
 * `not_reopened` (a motion, P12), `escalated` (an objection or item sent upward), `closed` (a
 * meeting), or `recorded` (the command took effect and decided nothing more).
 */
export const OutcomeNameSchema = Type.Union([
  Type.Literal('recorded'),
  Type.Literal('opened'),
  Type.Literal('closed'),
  Type.Literal('adopted'),
  Type.Literal('rejected'),
  Type.Literal('deferred'),
  Type.Literal('withdrawn'),
  Type.Literal('reopened'),
  Type.Literal('not_reopened'),
  Type.Literal('escalated'),
]);
export type OutcomeName = Static<typeof OutcomeNameSchema>;

/**
 * The explicit outcome of an accepted command (`CommandResult.outcome`): not on the ledger, a
 * view of `derived` the service and the SDK compute alike. A `vote.open` deferred by P8 answers
 * 201 like an opened vote: a client tells them apart by `outcome`, not by the status.
 * `denominator` is the one place of the denominator (应到会) for every command that fixes or uses
 * one (decision 0020).
 */
export const CommandOutcomeSchema = Type.Object(
  {
    outcome: OutcomeNameSchema,
    rule: Type.Optional(RuleIdSchema),
    basis: Type.Optional(BasisSchema),
    itemId: Type.Optional(RefIdSchema),
    motionId: Type.Optional(RefIdSchema),
    denominator: Type.Optional(Count),
    counts: Type.Optional(CountsSchema),
  },
  { additionalProperties: false }
);
export type CommandOutcome = Static<typeof CommandOutcomeSchema>;

const isObject = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x);

/**
 * The explicit outcome of a command of type `type` whose rules derived `derived`. Pure; reads
 * only what the derived schemas name, and answers `recorded` for anything else.
 */
export function commandOutcome(type: string, derived: unknown): CommandOutcome {
  const d = isObject(derived) ? derived : {};
  const str = (k: string) => (typeof d[k] === 'string' ? (d[k] as string) : undefined);
  const counts = isObject(d['counts']) ? (d['counts'] as Static<typeof CountsSchema>) : undefined;
  const out: CommandOutcome = { outcome: 'recorded' };
  const result = str('result');
  if (type === 'reconsideration.close' && (result === 'reopened' || result === 'not_reopened')) {
    out.outcome = result;
  } else if (
    result === 'adopted' ||
    result === 'rejected' ||
    result === 'deferred' ||
    result === 'withdrawn'
  ) {
    out.outcome = result;
  } else if (type === 'meeting.open' || type === 'vote.open' || type === 'reconsideration.open') {
    out.outcome = 'opened';
  } else if (type === 'meeting.close') {
    out.outcome = 'closed';
  } else if (type === 'item.escalate' || d['escalated'] === true) {
    out.outcome = 'escalated';
  }
  const rule = str('rule');
  if (rule !== undefined && out.outcome !== 'recorded') out.rule = rule;
  const basis = str('basis');
  if (basis !== undefined) out.basis = basis;
  const itemId = str('itemId');
  if (itemId !== undefined) out.itemId = itemId;
  const motionId = str('motionId');
  if (motionId !== undefined) out.motionId = motionId;
  const denominator = typeof d['denominator'] === 'number' ? d['denominator'] : counts?.denominator;
  if (typeof denominator === 'number') out.denominator = denominator;
  if (counts !== undefined) out.counts = { ...counts };
  return out;
}

/**
 * A command type handled by the service itself, never written to the ledger: signed like a
 * ledger command, answered with its own body (not a `CommandResult`).
 */
export type ServiceCommandType = 'webhook.register' | 'webhook.remove';
