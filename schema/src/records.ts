/**
 * What the rules of procedure build from the state and the API shows: the complete rulebook, a
 * live agenda item (P3, P5–P9), the record of a meeting (P16 会议记录), its minutes (P16 会议纪要)
 * and the reports addressed upward (P13). `@yishi/procedure` builds these values; its tests check
 * every value it builds against these schemas, so schema and engine cannot drift.
 */
import { Type, type Static, type TSchema } from 'typebox';
import {
  CandidateSchema,
  CategorySchema,
  FractionSchema,
  InterferenceMatterSchema,
  MaterialSchema,
  MeetingKindSchema,
  PositionSchema,
  PrincipalIdSchema,
  RefIdSchema,
  ReportIdSchema,
  RuleIdSchema,
  VoteChoiceSchema,
  VoteMethodSchema,
} from './commands.js';
import { PublicKeySchema, Sha256HexSchema } from './ledger.js';
import { Count, Nullable, Seq, Time } from './primitives.js';

const obj = <P extends Record<string, TSchema>>(props: P, description?: string) =>
  Type.Object(props, {
    additionalProperties: false,
    ...(description === undefined ? {} : { description }),
  });

// ---------------------------------------------------------------------------------------------
// Shared pieces

/** Roles held inside a body. */
export const BodyRoleSchema = Type.Union([
  Type.Literal('chair'),
  Type.Literal('member'),
  Type.Literal('recorder'),
  Type.Literal('discipline'),
  Type.Literal('attendee'),
]);
export type BodyRole = Static<typeof BodyRoleSchema>;

/** The complete rulebook of a body (every parameter of P1–P16 with its value). */
export const RulebookSchema = obj({
  agendaLeadHours: Count,
  cadreAgendaLeadHours: Count,
  disciplineNoticeHours: Count,
  allowAdhocRoutine: Type.Boolean(),
  largeFundsThreshold: Nullable(Count),
  quorumFraction: FractionSchema,
  cadreQuorumFraction: FractionSchema,
  excludeSuspended: Type.Boolean(),
  recusedCountInDenominator: Type.Boolean(),
  deferralFraction: FractionSchema,
  adoptionFraction: FractionSchema,
  reconsiderationFraction: FractionSchema,
  defaultVoteMethod: VoteMethodSchema,
  cadreVoteMethod: VoteMethodSchema,
  deferralExpiryDays: Count,
  maxCadreAttempts: Count,
});
export type RulebookValue = Static<typeof RulebookSchema>;

/**
 * The counts behind a vote's outcome (P9, P12). `denominator` here repeats the vote's
 * denominator (应到会) fixed when the vote opened; see decision 0020.
 */
export const CountsSchema = obj({
  for: Count,
  against: Count,
  abstain: Count,
  cast: Count,
  denominator: Count,
});
export type Counts = Static<typeof CountsSchema>;

/** How an item ended (P3, P4, P8–P10). */
export const ItemResultSchema = Type.Union([
  Type.Literal('adopted'),
  Type.Literal('rejected'),
  Type.Literal('deferred'),
  Type.Literal('withdrawn'),
]);
export type ItemResult = Static<typeof ItemResultSchema>;

/** How a reconsideration motion ended (P12). */
export const MotionResultSchema = Type.Union([
  Type.Literal('reopened'),
  Type.Literal('not_reopened'),
]);
export type MotionResult = Static<typeof MotionResultSchema>;

/** Item states (P3, P7–P10). */
export const ItemStateSchema = Type.Union([
  Type.Literal('submitted'),
  Type.Literal('on_agenda'),
  Type.Literal('deliberation'),
  Type.Literal('voting'),
  Type.Literal('adopted'),
  Type.Literal('rejected'),
  Type.Literal('deferred'),
  Type.Literal('withdrawn'),
]);
export type ItemState = Static<typeof ItemStateSchema>;

/** Why an item ended as it did. */
export const BasisSchema = Type.String({
  description:
    '`vote`, `close_vote`, `statements`, `defer_accepted`, `quorum_lost`, `not_concluded`, ' +
    '`withdrawn`, `meeting_cancelled`',
});

/** A key set by an admin signed this (issue 13): who set it and from which entry. */
export const KeySetByAdminSchema = obj({ by: PrincipalIdSchema, resetSeq: Seq });

const Urgent = obj({ justification: Type.String(), seq: Seq });
const DeferAccepted = obj({ statementBy: PrincipalIdSchema, reason: Type.String(), seq: Seq });
const Withdrawal = obj({ by: PrincipalIdSchema, reason: Type.String(), seq: Seq });

// ---------------------------------------------------------------------------------------------
// A live item (GET /items/{itemId})

/** An item's vote as the engine holds it while the meeting is live (P9). */
export const LiveVoteSchema = obj({
  method: VoteMethodSchema,
  openedSeq: Seq,
  denominator: Count,
  eligibleAtOpen: Count,
  statementsWouldDefer: Type.Boolean(),
  scrutineers: Type.Array(PrincipalIdSchema),
  ballots: Type.Array(
    obj({
      principalId: PrincipalIdSchema,
      choice: VoteChoiceSchema,
      reason: Nullable(Type.String()),
      seq: Seq,
    })
  ),
  receipts: Type.Array(obj({ principalId: PrincipalIdSchema, receipt: Sha256HexSchema, seq: Seq })),
  tallies: Type.Array(
    obj({ principalId: PrincipalIdSchema, for: Count, against: Count, abstain: Count, seq: Seq })
  ),
});

/** An item's outcome as the engine holds it. */
export const LiveOutcomeSchema = obj({
  result: ItemResultSchema,
  rule: RuleIdSchema,
  basis: BasisSchema,
  seq: Seq,
  counts: Nullable(CountsSchema),
  urgentOverride: Type.Boolean(),
  overrodeDeferral: Type.Boolean(),
});

/** An agenda item as the engine holds it while its meeting is live. */
export const LiveItemSchema = obj({
  id: RefIdSchema,
  meetingId: RefIdSchema,
  bodyId: RefIdSchema,
  submittedSeq: Seq,
  submittedAt: Time,
  submitterId: PrincipalIdSchema,
  category: CategorySchema,
  title: Type.String(),
  materials: Type.Array(MaterialSchema),
  amount: Nullable(Count),
  candidate: Nullable(CandidateSchema),
  post: Nullable(Type.String()),
  materialsDigest: Sha256HexSchema,
  previousItemId: Nullable(RefIdSchema),
  adhoc: Type.Boolean(),
  state: ItemStateSchema,
  deliberationSeq: Nullable(Seq),
  recusals: Type.Array(
    obj({
      principalId: PrincipalIdSchema,
      recordedBy: PrincipalIdSchema,
      reason: Type.String(),
      seq: Seq,
    })
  ),
  opinions: Type.Array(
    obj({
      principalId: PrincipalIdSchema,
      position: Nullable(PositionSchema),
      text: Type.String(),
      seq: Seq,
    })
  ),
  statements: Type.Array(
    obj({
      principalId: PrincipalIdSchema,
      position: Nullable(PositionSchema),
      reasons: Nullable(Type.String()),
      voting: Type.Boolean(),
      seq: Seq,
    })
  ),
  chairStated: Type.Boolean(),
  urgent: Nullable(Urgent),
  deferAccepted: Nullable(DeferAccepted),
  vote: Nullable(LiveVoteSchema),
  outcome: Nullable(LiveOutcomeSchema),
  withdrawal: Nullable(Withdrawal),
});
export type LiveItem = Static<typeof LiveItemSchema>;

// ---------------------------------------------------------------------------------------------
// The record (P16)

const personProps = {
  principalId: PrincipalIdSchema,
  name: Type.String(),
  role: Nullable(BodyRoleSchema),
};
/** A person as the record names them. */
export const PersonRefSchema = obj(personProps);
/** A signed act in the record: its signer, and the mark when a key an admin set signed it. */
const signedAct = <P extends Record<string, TSchema>>(props: P) =>
  obj({ ...personProps, ...props, keySetByAdmin: Type.Optional(KeySetByAdminSchema) });

/** One dissenting statement, vote or opinion, verbatim. */
export const DissentSchema = obj({
  principalId: PrincipalIdSchema,
  name: Type.String(),
  kind: Type.Union([Type.Literal('statement'), Type.Literal('vote'), Type.Literal('opinion')]),
  stance: Type.Union([PositionSchema, VoteChoiceSchema]),
  text: Nullable(Type.String()),
  seq: Seq,
});

const Ballot = signedAct({ choice: VoteChoiceSchema, reason: Nullable(Type.String()), seq: Seq });

/** An item as the record shows it. */
export const ItemRecordSchema = obj({
  itemId: RefIdSchema,
  seq: Seq,
  category: CategorySchema,
  title: Type.String(),
  submitter: PersonRefSchema,
  adhoc: Type.Boolean(),
  previousItemId: Nullable(RefIdSchema),
  materials: Type.Array(MaterialSchema),
  materialsDigest: Sha256HexSchema,
  amount: Nullable(Count),
  candidate: Nullable(CandidateSchema),
  post: Nullable(Type.String()),
  recusals: Type.Array(
    obj({ ...personProps, reason: Type.String(), recordedBy: PrincipalIdSchema, seq: Seq })
  ),
  opinions: Type.Array(
    signedAct({ position: Nullable(PositionSchema), text: Type.String(), seq: Seq })
  ),
  statements: Type.Array(
    signedAct({
      order: Type.Integer({ minimum: 1 }),
      position: Nullable(PositionSchema),
      reasons: Nullable(Type.String()),
      voting: Type.Boolean(),
      seq: Seq,
    })
  ),
  urgent: Nullable(Urgent),
  deferAccepted: Nullable(DeferAccepted),
  vote: Nullable(
    obj({
      method: VoteMethodSchema,
      denominator: Count,
      eligibleAtOpen: Count,
      ballots: Nullable(Type.Array(Ballot)),
      receipts: Nullable(Type.Array(signedAct({ seq: Seq }))),
      scrutineers: Type.Array(PersonRefSchema),
      tally: Nullable(
        obj({
          for: Count,
          against: Count,
          abstain: Count,
          signedBy: Type.Array(PrincipalIdSchema),
        })
      ),
    })
  ),
  outcome: Nullable(
    obj({
      result: ItemResultSchema,
      rule: RuleIdSchema,
      basis: BasisSchema,
      counts: Nullable(CountsSchema),
      urgentOverride: Type.Boolean(),
      overrodeDeferral: Type.Boolean(),
      seq: Seq,
    })
  ),
  withdrawal: Nullable(Withdrawal),
  dissent: Type.Array(DissentSchema),
});
export type ItemRecordValue = Static<typeof ItemRecordSchema>;

/** A reconsideration motion as the record shows it (P12). */
export const MotionRecordSchema = obj({
  motionId: RefIdSchema,
  itemId: RefIdSchema,
  itemTitle: Type.String(),
  proposer: PersonRefSchema,
  reason: Type.String(),
  ballots: Type.Array(Ballot),
  outcome: Nullable(
    obj({
      result: MotionResultSchema,
      rule: RuleIdSchema,
      basis: BasisSchema,
      counts: CountsSchema,
    })
  ),
});

/** Why an objection went upward (P14). */
export const EscalationWhySchema = Type.Union([
  Type.Literal('rejected'),
  Type.Literal('unanswered_at_close'),
  Type.Literal('raised_after_close'),
]);

/** An objection's state (P14). */
export const ObjectionStateSchema = Type.Union([
  Type.Literal('open'),
  Type.Literal('corrected'),
  Type.Literal('rejected'),
  Type.Literal('escalated'),
]);

/** The chair's answer to an objection (P14). */
export const ObjectionAnswerValueSchema = Type.Union([
  Type.Literal('corrected'),
  Type.Literal('rejected'),
]);

/** An objection as the record shows it (P14). */
export const ObjectionRecordSchema = obj({
  objectionId: RefIdSchema,
  itemId: Nullable(RefIdSchema),
  raisedBy: PersonRefSchema,
  rule: RuleIdSchema,
  text: Type.String(),
  seq: Seq,
  state: ObjectionStateSchema,
  answer: Nullable(obj({ answer: ObjectionAnswerValueSchema, reasons: Type.String(), seq: Seq })),
  escalation: Nullable(obj({ why: EscalationWhySchema, reportId: ReportIdSchema, seq: Seq })),
});

/** A statement, opinion, vote or receipt signed with a key an admin set (issue 13). */
export const KeyResetMarkSchema = obj({
  principalId: PrincipalIdSchema,
  name: Type.String(),
  kind: Type.Union([
    Type.Literal('statement'),
    Type.Literal('opinion'),
    Type.Literal('vote'),
    Type.Literal('receipt'),
  ]),
  seq: Seq,
  by: PrincipalIdSchema,
});

const MinutesNumber = obj({ year: Type.Integer(), number: Type.Integer({ minimum: 1 }) });
const MeetingState = Type.Union([
  Type.Literal('scheduled'),
  Type.Literal('open'),
  Type.Literal('closed'),
]);

/** The record of one meeting (P16 会议记录): what the recorder and the chair sign the digest of. */
export const MeetingRecordSchema = obj({
  v: Type.Literal(1),
  ledgerId: Nullable(Type.String()),
  body: obj({ id: RefIdSchema, name: Type.String() }),
  meeting: obj({
    id: RefIdSchema,
    title: Type.String(),
    kind: MeetingKindSchema,
    state: MeetingState,
    scheduledStart: Time,
    openedAt: Nullable(Time),
    closedAt: Nullable(Time),
    openedSeq: Nullable(Seq),
    closedSeq: Nullable(Seq),
    rulebookVersion: Type.Integer({ minimum: 1 }),
  }),
  minutes: Nullable(MinutesNumber),
  rulebook: RulebookSchema,
  attendance: obj({
    denominator: Count,
    present: Type.Array(PersonRefSchema),
    absent: Type.Array(obj({ ...personProps, reason: Type.String() })),
    attendees: Type.Array(PersonRefSchema),
    changes: Type.Array(
      obj({
        ...personProps,
        event: Type.Union([Type.Literal('arrive'), Type.Literal('depart')]),
        time: Time,
        seq: Seq,
        reason: Nullable(Type.String()),
      })
    ),
  }),
  items: Type.Array(ItemRecordSchema),
  motions: Type.Array(MotionRecordSchema),
  keySetByAdmin: Type.Optional(Type.Array(KeyResetMarkSchema)),
  objections: Type.Array(ObjectionRecordSchema),
});
export type MeetingRecordValue = Static<typeof MeetingRecordSchema>;

/** One decision in the minutes. */
export const MinutesDecisionSchema = obj({
  itemId: RefIdSchema,
  title: Type.String(),
  category: CategorySchema,
  result: ItemResultSchema,
  rule: RuleIdSchema,
  basis: BasisSchema,
  counts: Nullable(CountsSchema),
  urgentOverride: Type.Boolean(),
  previousItemId: Nullable(RefIdSchema),
});

/** The minutes of one meeting (P16 会议纪要), committing to the record's digest. */
export const MinutesSchema = obj({
  v: Type.Literal(1),
  number: Nullable(MinutesNumber),
  body: obj({ id: RefIdSchema, name: Type.String() }),
  meeting: obj({
    id: RefIdSchema,
    title: Type.String(),
    kind: MeetingKindSchema,
    openedAt: Nullable(Time),
    closedAt: Nullable(Time),
  }),
  attendance: obj({
    denominator: Count,
    present: Count,
    absent: Type.Array(obj({ name: Type.String(), reason: Type.String() })),
    attendees: Count,
  }),
  decisions: Type.Array(MinutesDecisionSchema),
  reconsiderations: Type.Array(
    obj({
      motionId: RefIdSchema,
      itemId: RefIdSchema,
      itemTitle: Type.String(),
      result: Nullable(MotionResultSchema),
      rule: Nullable(RuleIdSchema),
    })
  ),
  keySetByAdmin: Type.Optional(Type.Array(KeyResetMarkSchema)),
  recordDigest: Sha256HexSchema,
});
export type MinutesValue = Static<typeof MinutesSchema>;

// ---------------------------------------------------------------------------------------------
// Reports addressed upward (P13)

/** Who a report is addressed to. */
export const AddresseeSchema = Type.Union([
  Type.Literal('higher_level_organisation'),
  Type.Literal('higher_level_discipline_commission'),
]);

const itemSubject = {
  itemId: RefIdSchema,
  meetingId: RefIdSchema,
  title: Type.String(),
  category: CategorySchema,
};

/** The subject of each kind of report, by kind. */
export const REPORT_SUBJECT_SCHEMAS = {
  adopted_major_matter: obj(itemSubject),
  urgent_override: obj({
    ...itemSubject,
    result: ItemResultSchema,
    justification: Nullable(Type.String()),
    overrodeDeferral: Type.Boolean(),
  }),
  escalation: obj({ ...itemSubject, reason: Type.String() }),
  objection: obj({
    objectionId: RefIdSchema,
    meetingId: RefIdSchema,
    itemId: Nullable(RefIdSchema),
    rule: RuleIdSchema,
    text: Type.String(),
    raisedBy: PrincipalIdSchema,
    answer: Nullable(obj({ answer: ObjectionAnswerValueSchema, reasons: Type.String() })),
    why: EscalationWhySchema,
  }),
  interference: obj({
    interferenceId: RefIdSchema,
    recordedBy: PrincipalIdSchema,
    who: obj({
      name: Type.String(),
      post: Type.String(),
      relation: Type.Union([Type.Literal('leader'), Type.Literal('relative')]),
      leaderName: Type.Optional(Type.String()),
    }),
    matter: obj({ category: InterferenceMatterSchema, text: Type.String() }),
    form: Type.Union([
      Type.Literal('instruction'),
      Type.Literal('request'),
      Type.Literal('message_passed'),
    ]),
    occurredAt: Time,
    details: Nullable(Type.String()),
  }),
  key_reset: obj({
    principalId: PrincipalIdSchema,
    name: Type.String(),
    setBy: PrincipalIdSchema,
    newPublicKey: PublicKeySchema,
  }),
} as const;

/** P13 report kinds. */
export type ReportKind = keyof typeof REPORT_SUBJECT_SCHEMAS;
/** The subject of a report of kind `K`. */
export type ReportSubjectOf<K extends ReportKind> = Static<(typeof REPORT_SUBJECT_SCHEMAS)[K]>;

/** P13 report kinds, as a schema. */
export const ReportKindSchema = Type.Union([
  Type.Literal('adopted_major_matter'),
  Type.Literal('urgent_override'),
  Type.Literal('escalation'),
  Type.Literal('objection'),
  Type.Literal('interference'),
  Type.Literal('key_reset'),
]);

/** Any report's subject. */
export const ReportSubjectSchema = Type.Union([
  REPORT_SUBJECT_SCHEMAS.adopted_major_matter,
  REPORT_SUBJECT_SCHEMAS.urgent_override,
  REPORT_SUBJECT_SCHEMAS.escalation,
  REPORT_SUBJECT_SCHEMAS.objection,
  REPORT_SUBJECT_SCHEMAS.interference,
  REPORT_SUBJECT_SCHEMAS.key_reset,
]);
export type ReportSubject = Static<typeof ReportSubjectSchema>;

function reportOf<K extends ReportKind>(kind: K) {
  return obj({
    reportId: ReportIdSchema,
    kind: Type.Literal(kind),
    addressee: AddresseeSchema,
    bodyId: RefIdSchema,
    subject: REPORT_SUBJECT_SCHEMAS[kind],
    readableBy: Type.Array(Type.String(), {
      description: 'roles that may read the subject besides the addressee',
    }),
  });
}

/** A report as the engine writes it to `derived.reports`, discriminated by `kind`. */
export const ReportSchema = Type.Union([
  reportOf('adopted_major_matter'),
  reportOf('urgent_override'),
  reportOf('escalation'),
  reportOf('objection'),
  reportOf('interference'),
  reportOf('key_reset'),
]);
export type Report = Static<typeof ReportSchema>;
