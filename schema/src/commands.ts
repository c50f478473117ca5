/**
 * Command payloads (what a principal signs), one TypeBox schema per command type, as decided by
 * `@yishi/procedure` under the rules of procedure P1–P16 (`shared/spec/procedure.md`). Every
 * payload carries `type`, `ts` and `nonce` (see `CommandPayloadSchema`); everything else is
 * explicit and bounded. Payloads come from clients and from ledgers handed to auditors: they are
 * untrusted until they pass these schemas (`additionalProperties: false` everywhere).
 */
import { Type, type Static, type TProperties } from 'typebox';
import { PublicKeySchema, Sha256HexSchema, SignatureSchema } from './ledger.js';

const TsSchema = Type.Integer({ minimum: 0, maximum: 8640000000000000 });
const NonceSchema = Type.String({ pattern: '^[0-9a-f]{32}$' });
/**
 * The ledger id a v2 command is for (the genesis's `ledgerId`). Optional in the schema only so
 * that v1 entries replay; the engine refuses a command without it on a v2 ledger and the service
 * accepts no new command without it (`WRONG_LEDGER`).
 */
export const LedgerIdSchema = Type.String({ minLength: 1, maxLength: 128 });

function command<T extends string, P extends TProperties>(type: T, props: P) {
  return Type.Object(
    {
      type: Type.Literal(type),
      ts: TsSchema,
      nonce: NonceSchema,
      ledger: Type.Optional(LedgerIdSchema),
      ...props,
    },
    { additionalProperties: false }
  );
}

// ---------------------------------------------------------------------------------------------
// Shared field schemas

/** A principal id chosen by the admin who registers it: lowercase, digits, `.`, `_`, `-`. */
export const PrincipalIdSchema = Type.String({ pattern: '^[a-z0-9][a-z0-9._-]{0,63}$' });
/** An id the engine derived from a ledger position, e.g. `mtg-12`, `item-40`. */
export const RefIdSchema = Type.String({ pattern: '^[a-z]{2,6}-[0-9]{1,16}$' });
/** A report id: `rpt-<seq>-<index>`. */
export const ReportIdSchema = Type.String({ pattern: '^rpt-[0-9]{1,16}-[0-9]{1,4}$' });
/** Rule ids P1…P16. */
export const RuleIdSchema = Type.String({ pattern: '^P(?:[1-9]|1[0-6])$' });

const Name = Type.String({ minLength: 1, maxLength: 100 });
const Title = Type.String({ minLength: 1, maxLength: 200 });
const Text = Type.String({ minLength: 1, maxLength: 4000 });
const LongText = Type.String({ minLength: 1, maxLength: 16000 });
const Time = Type.Integer({ minimum: 0, maximum: 8640000000000000 });

/** Roles a principal may hold. `admin` (higher-level organisation) and `auditor` hold no body. */
export const RoleSchema = Type.Union([
  Type.Literal('admin'),
  Type.Literal('auditor'),
  Type.Literal('chair'),
  Type.Literal('member'),
  Type.Literal('recorder'),
  Type.Literal('discipline'),
  Type.Literal('attendee'),
]);
export type Role = Static<typeof RoleSchema>;

/** P1 matter categories: the four "三重一大" major matters and `routine`. */
export const CategorySchema = Type.Union([
  Type.Literal('major_decision'),
  Type.Literal('cadre_appointment'),
  Type.Literal('major_project'),
  Type.Literal('large_funds'),
  Type.Literal('routine'),
]);
export type Category = Static<typeof CategorySchema>;

/** P2 meeting kinds. */
export const MeetingKindSchema = Type.Union([Type.Literal('leadership'), Type.Literal('topical')]);
export type MeetingKind = Static<typeof MeetingKindSchema>;

/** P9 vote methods. */
export const VoteMethodSchema = Type.Union([
  Type.Literal('roll_call'),
  Type.Literal('show_of_hands'),
  Type.Literal('secret'),
]);
export type VoteMethod = Static<typeof VoteMethodSchema>;

/** P9 choices. */
export const VoteChoiceSchema = Type.Union([
  Type.Literal('for'),
  Type.Literal('against'),
  Type.Literal('abstain'),
]);
export type VoteChoice = Static<typeof VoteChoiceSchema>;

/** P7 positions. */
export const PositionSchema = Type.Union([
  Type.Literal('agree'),
  Type.Literal('disagree'),
  Type.Literal('defer'),
]);
export type Position = Static<typeof PositionSchema>;

/** A material: its title and the SHA-256 of the document (the document stays with the client). */
export const MaterialSchema = Type.Object(
  { title: Title, sha256: Sha256HexSchema },
  { additionalProperties: false }
);
export type Material = Static<typeof MaterialSchema>;
const Materials = Type.Array(MaterialSchema, { minItems: 1, maxItems: 50 });

/** A cadre candidate: a name, and the principal id when the candidate is a registered principal. */
export const CandidateSchema = Type.Object(
  { name: Name, principalId: Type.Optional(PrincipalIdSchema) },
  { additionalProperties: false }
);
export type Candidate = Static<typeof CandidateSchema>;

/** An amount in yuan (元), an integer. */
const Amount = Type.Integer({ minimum: 0, maximum: 1_000_000_000_000_000 });

/** A fraction `num/den` of small positive integers, compared in integer arithmetic. */
export const FractionSchema = Type.Object(
  {
    num: Type.Integer({ minimum: 1, maximum: 100 }),
    den: Type.Integer({ minimum: 1, maximum: 100 }),
  },
  { additionalProperties: false }
);
export type FractionParam = Static<typeof FractionSchema>;

/** Rulebook parameters a `rulebook.set` may change (each optional: the rest are kept). */
export const RulebookParamsSchema = Type.Object(
  {
    agendaLeadHours: Type.Optional(Type.Integer({ minimum: 0, maximum: 8760 })),
    cadreAgendaLeadHours: Type.Optional(Type.Integer({ minimum: 0, maximum: 8760 })),
    disciplineNoticeHours: Type.Optional(Type.Integer({ minimum: 0, maximum: 8760 })),
    allowAdhocRoutine: Type.Optional(Type.Boolean()),
    largeFundsThreshold: Type.Optional(Type.Union([Amount, Type.Null()])),
    quorumFraction: Type.Optional(FractionSchema),
    cadreQuorumFraction: Type.Optional(FractionSchema),
    excludeSuspended: Type.Optional(Type.Boolean()),
    recusedCountInDenominator: Type.Optional(Type.Boolean()),
    deferralFraction: Type.Optional(FractionSchema),
    adoptionFraction: Type.Optional(FractionSchema),
    reconsiderationFraction: Type.Optional(FractionSchema),
    defaultVoteMethod: Type.Optional(VoteMethodSchema),
    cadreVoteMethod: Type.Optional(VoteMethodSchema),
    deferralExpiryDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
    maxCadreAttempts: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  },
  { additionalProperties: false }
);
export type RulebookParams = Static<typeof RulebookParamsSchema>;

// ---------------------------------------------------------------------------------------------
// Ledger and administration (signed by the log key or an admin)

/** Entry 0 only, signed by the log key: names the ledger and registers the first admin. */
export const LedgerGenesisSchema = command('ledger.genesis', {
  ledgerId: LedgerIdSchema,
  /** The protocol version the ledger is written under; absent on ledgers begun under v1. */
  protocol: Type.Optional(Type.Literal(2)),
  origin: Type.String({ minLength: 1, maxLength: 256 }),
  logPublicKey: PublicKeySchema,
  admin: Type.Object(
    { principalId: PrincipalIdSchema, name: Name, publicKey: PublicKeySchema },
    { additionalProperties: false }
  ),
});
export type LedgerGenesis = Static<typeof LedgerGenesisSchema>;

/** Admin: create a body (领导班子); its id is derived (`body-<seq>`). */
export const BodyCreateSchema = command('body.create', { name: Name });
export type BodyCreate = Static<typeof BodyCreateSchema>;

/**
 * Admin: register a principal with its first key. Body roles need `bodyId`; admin and auditor
 * take none. `votes` is required for `discipline` (voting member or non-voting observer) and
 * forbidden otherwise (chair and member vote, the rest never do).
 */
export const PrincipalRegisterSchema = command('principal.register', {
  principalId: PrincipalIdSchema,
  name: Name,
  publicKey: PublicKeySchema,
  role: RoleSchema,
  bodyId: Type.Optional(RefIdSchema),
  votes: Type.Optional(Type.Boolean()),
});
export type PrincipalRegister = Static<typeof PrincipalRegisterSchema>;

/** Admin: change a body principal's role within its body. */
export const PrincipalUpdateRoleSchema = command('principal.update_role', {
  principalId: PrincipalIdSchema,
  role: RoleSchema,
  votes: Type.Optional(Type.Boolean()),
});
export type PrincipalUpdateRole = Static<typeof PrincipalUpdateRoleSchema>;

/** Admin: end a principal's membership of its body (it can no longer act). */
export const MembershipEndSchema = command('membership.end', {
  principalId: PrincipalIdSchema,
  reason: Text,
});
export type MembershipEnd = Static<typeof MembershipEndSchema>;

/** Admin: suspend a member (P4: suspended members leave the denominator by default). */
export const MemberSuspendSchema = command('member.suspend', {
  principalId: PrincipalIdSchema,
  reason: Text,
});
export type MemberSuspend = Static<typeof MemberSuspendSchema>;

/** Admin: reinstate a suspended member. */
export const MemberReinstateSchema = command('member.reinstate', {
  principalId: PrincipalIdSchema,
});
export type MemberReinstate = Static<typeof MemberReinstateSchema>;

/** Admin or the principal itself: add a new key and revoke all the principal's current keys. */
export const KeyRotateSchema = command('key.rotate', {
  principalId: PrincipalIdSchema,
  newPublicKey: PublicKeySchema,
});
export type KeyRotate = Static<typeof KeyRotateSchema>;

/**
 * The key's principal, signing with the key an admin set for it: confirms that key as its own.
 * `previousSignature` is an Ed25519 signature by the key the admin's reset replaced over
 * `yishi/key-confirm/v1\n` || JCS({ ledgerId, principalId, newPublicKey }) (newPublicKey: the key
 * signing this command). Ends the flagging of what that key signs.
 */
export const KeyConfirmSchema = command('key.confirm', {
  principalId: PrincipalIdSchema,
  previousPublicKey: PublicKeySchema,
  previousSignature: SignatureSchema,
});
export type KeyConfirm = Static<typeof KeyConfirmSchema>;

/** Admin or the key's principal: revoke a key from this ledger position on. */
export const KeyRevokeSchema = command('key.revoke', {
  publicKey: PublicKeySchema,
  reason: Text,
});
export type KeyRevoke = Static<typeof KeyRevokeSchema>;

/** Admin: a new rulebook version for a body; applies to meetings scheduled after it. */
export const RulebookSetSchema = command('rulebook.set', {
  bodyId: RefIdSchema,
  params: RulebookParamsSchema,
});
export type RulebookSet = Static<typeof RulebookSetSchema>;

/** Admin: appoint an auditor to bodies (replaces the list). */
export const AuditorAppointSchema = command('auditor.appoint', {
  principalId: PrincipalIdSchema,
  bodyIds: Type.Array(RefIdSchema, { minItems: 0, maxItems: 100 }),
});
export type AuditorAppoint = Static<typeof AuditorAppointSchema>;

/** Admin: the higher level's ruling on an escalated item (P10) or objection (P14). */
export const RulingRegisterSchema = command('ruling.register', {
  target: Type.Union([
    Type.Object(
      { kind: Type.Literal('item'), itemId: RefIdSchema },
      { additionalProperties: false }
    ),
    Type.Object(
      { kind: Type.Literal('objection'), objectionId: RefIdSchema },
      { additionalProperties: false }
    ),
  ]),
  decision: Type.Union([
    Type.Literal('approved'),
    Type.Literal('not_approved'),
    Type.Literal('returned'),
    Type.Literal('upheld'),
    Type.Literal('dismissed'),
  ]),
  text: LongText,
});
export type RulingRegister = Static<typeof RulingRegisterSchema>;

/** Admin: acknowledge a report addressed upward (P13). */
export const ReportAcknowledgeSchema = command('report.acknowledge', { reportId: ReportIdSchema });
export type ReportAcknowledge = Static<typeof ReportAcknowledgeSchema>;

// ---------------------------------------------------------------------------------------------
// Meetings (P2, P4)

/** Chair or recorder: schedule a meeting of their body. */
export const MeetingScheduleSchema = command('meeting.schedule', {
  bodyId: RefIdSchema,
  kind: MeetingKindSchema,
  title: Title,
  scheduledStart: Time,
});
export type MeetingSchedule = Static<typeof MeetingScheduleSchema>;

/** Chair: cancel a meeting that has not opened; its items are withdrawn. */
export const MeetingCancelSchema = command('meeting.cancel', {
  meetingId: RefIdSchema,
  reason: Text,
});
export type MeetingCancel = Static<typeof MeetingCancelSchema>;

const AbsenceSchema = Type.Object(
  { principalId: PrincipalIdSchema, reason: Text },
  { additionalProperties: false }
);

/** Chair: open the meeting, recording who is present, absent (with reason) and attending. */
export const MeetingOpenSchema = command('meeting.open', {
  meetingId: RefIdSchema,
  present: Type.Array(PrincipalIdSchema, { minItems: 1, maxItems: 200 }),
  absent: Type.Array(AbsenceSchema, { minItems: 0, maxItems: 200 }),
  attendees: Type.Array(PrincipalIdSchema, { minItems: 0, maxItems: 200 }),
});
export type MeetingOpen = Static<typeof MeetingOpenSchema>;

/** The arriving principal, the chair or the recorder: a late arrival. */
export const MeetingArriveSchema = command('meeting.arrive', {
  meetingId: RefIdSchema,
  principalId: PrincipalIdSchema,
});
export type MeetingArrive = Static<typeof MeetingArriveSchema>;

/** The departing principal, the chair or the recorder: an early departure. */
export const MeetingDepartSchema = command('meeting.depart', {
  meetingId: RefIdSchema,
  principalId: PrincipalIdSchema,
  reason: Type.Optional(Text),
});
export type MeetingDepart = Static<typeof MeetingDepartSchema>;

/** Chair or recorder: close the meeting. */
export const MeetingCloseSchema = command('meeting.close', { meetingId: RefIdSchema });
export type MeetingClose = Static<typeof MeetingCloseSchema>;

// ---------------------------------------------------------------------------------------------
// Items (P1, P3, P5–P8, P10, P11)

/** A voting member: submit an item to a scheduled meeting (P3). */
export const ItemSubmitSchema = command('item.submit', {
  meetingId: RefIdSchema,
  category: CategorySchema,
  title: Title,
  materials: Materials,
  amount: Type.Optional(Amount),
  candidate: Type.Optional(CandidateSchema),
  post: Type.Optional(Title),
});
export type ItemSubmit = Static<typeof ItemSubmitSchema>;

/** The submitter or the chair: withdraw an item before deliberation opens. */
export const ItemWithdrawSchema = command('item.withdraw', { itemId: RefIdSchema, reason: Text });
export type ItemWithdraw = Static<typeof ItemWithdrawSchema>;

/** Chair: open deliberation on an item; binds the materials digest. */
export const ItemDeliberateSchema = command('item.deliberate', { itemId: RefIdSchema });
export type ItemDeliberate = Static<typeof ItemDeliberateSchema>;

/** The member concerned or the chair: recusal (回避) on an item (P6). */
export const ItemRecuseSchema = command('item.recuse', {
  itemId: RefIdSchema,
  principalId: PrincipalIdSchema,
  reason: Text,
});
export type ItemRecuse = Static<typeof ItemRecuseSchema>;

/** An absent voting member: a written opinion (P5), stored and never counted as a vote. */
export const OpinionSubmitSchema = command('opinion.submit', {
  itemId: RefIdSchema,
  materialsDigest: Sha256HexSchema,
  position: Type.Optional(PositionSchema),
  text: Text,
});
export type OpinionSubmit = Static<typeof OpinionSubmitSchema>;

/**
 * A present member: a statement on the item in deliberation (P7). Voting members give a position
 * (reasons required for `disagree`/`defer`); non-voting attendees speak without a position.
 */
export const StatementRecordSchema = command('statement.record', {
  itemId: RefIdSchema,
  materialsDigest: Sha256HexSchema,
  position: Type.Optional(PositionSchema),
  reasons: Type.Optional(Text),
});
export type StatementRecord = Static<typeof StatementRecordSchema>;

/** Chair: mark an item urgent before its vote, with a written justification (P8). */
export const ItemMarkUrgentSchema = command('item.mark_urgent', {
  itemId: RefIdSchema,
  justification: Text,
});
export type ItemMarkUrgent = Static<typeof ItemMarkUrgentSchema>;

/** Chair: accept a member's `defer` statement citing unclear key facts; the item is deferred (P8). */
export const ItemDeferSchema = command('item.defer', {
  itemId: RefIdSchema,
  statementBy: PrincipalIdSchema,
  reason: Text,
});
export type ItemDefer = Static<typeof ItemDeferSchema>;

/** Chair: escalate a deferred item to the higher-level organisation for a ruling (P10). */
export const ItemEscalateSchema = command('item.escalate', { itemId: RefIdSchema, reason: Text });
export type ItemEscalate = Static<typeof ItemEscalateSchema>;

/**
 * A voting member: bring a deferred or reopened item back at a later meeting (P10), or renominate
 * the candidate of a rejected cadre item at another meeting, linked to the latest rejected attempt
 * and counted by `maxCadreAttempts` (P11).
 */
export const ItemResubmitSchema = command('item.resubmit', {
  previousItemId: RefIdSchema,
  meetingId: RefIdSchema,
  title: Title,
  materials: Materials,
  amount: Type.Optional(Amount),
  candidate: Type.Optional(CandidateSchema),
  post: Type.Optional(Title),
});
export type ItemResubmit = Static<typeof ItemResubmitSchema>;

// ---------------------------------------------------------------------------------------------
// Votes (P4, P8, P9)

/** Chair: open the vote on the item in deliberation. Secret ballots name two scrutineers. */
export const VoteOpenSchema = command('vote.open', {
  itemId: RefIdSchema,
  materialsDigest: Sha256HexSchema,
  method: Type.Optional(VoteMethodSchema),
  scrutineers: Type.Optional(Type.Array(PrincipalIdSchema, { minItems: 2, maxItems: 2 })),
});
export type VoteOpen = Static<typeof VoteOpenSchema>;

/** A present, non-recused voting member: their own vote (roll call or show of hands). */
export const VoteCastSchema = command('vote.cast', {
  itemId: RefIdSchema,
  materialsDigest: Sha256HexSchema,
  choice: VoteChoiceSchema,
  reason: Type.Optional(Text),
});
export type VoteCast = Static<typeof VoteCastSchema>;

/** A present, non-recused voting member: receipt that they cast a secret ballot. */
export const BallotReceiptSchema = command('ballot.receipt', {
  itemId: RefIdSchema,
  materialsDigest: Sha256HexSchema,
  receipt: Sha256HexSchema,
});
export type BallotReceipt = Static<typeof BallotReceiptSchema>;

const Count = Type.Integer({ minimum: 0, maximum: 1000 });

/** A scrutineer: the counts of a secret ballot; both scrutineers must sign the same counts. */
export const TallySignSchema = command('tally.sign', {
  itemId: RefIdSchema,
  for: Count,
  against: Count,
  abstain: Count,
});
export type TallySign = Static<typeof TallySignSchema>;

/** Chair: close the vote; the engine derives the outcome and the rule that decided it. */
export const VoteCloseSchema = command('vote.close', { itemId: RefIdSchema });
export type VoteClose = Static<typeof VoteCloseSchema>;

// ---------------------------------------------------------------------------------------------
// Reconsideration (P12)

/** A present voting member: move to reconsider an adopted decision; opens its own vote. */
export const ReconsiderationOpenSchema = command('reconsideration.open', {
  meetingId: RefIdSchema,
  itemId: RefIdSchema,
  reason: Text,
});
export type ReconsiderationOpen = Static<typeof ReconsiderationOpenSchema>;

/** A present voting member: their vote on a reconsideration motion. */
export const ReconsiderationVoteSchema = command('reconsideration.vote', {
  motionId: RefIdSchema,
  choice: VoteChoiceSchema,
  reason: Type.Optional(Text),
});
export type ReconsiderationVote = Static<typeof ReconsiderationVoteSchema>;

/** Chair: close the reconsideration vote. */
export const ReconsiderationCloseSchema = command('reconsideration.close', {
  motionId: RefIdSchema,
});
export type ReconsiderationClose = Static<typeof ReconsiderationCloseSchema>;

// ---------------------------------------------------------------------------------------------
// Oversight (P13–P15) and the record (P16)

/** The discipline role or a voting member: a procedural objection citing a rule (P14). */
export const ObjectionRaiseSchema = command('objection.raise', {
  target: Type.Union([
    Type.Object(
      { kind: Type.Literal('meeting'), meetingId: RefIdSchema },
      { additionalProperties: false }
    ),
    Type.Object(
      { kind: Type.Literal('item'), itemId: RefIdSchema },
      { additionalProperties: false }
    ),
  ]),
  rule: RuleIdSchema,
  text: Text,
});
export type ObjectionRaise = Static<typeof ObjectionRaiseSchema>;

/** Chair: answer an objection, `corrected` or `rejected`, with reasons (P14). */
export const ObjectionAnswerSchema = command('objection.answer', {
  objectionId: RefIdSchema,
  answer: Type.Union([Type.Literal('corrected'), Type.Literal('rejected')]),
  reasons: Text,
});
export type ObjectionAnswer = Static<typeof ObjectionAnswerSchema>;

/** P15 matter categories of an interference record. */
export const InterferenceMatterSchema = Type.Union([
  Type.Literal('cadre_selection'),
  Type.Literal('approvals'),
  Type.Literal('land'),
  Type.Literal('resources'),
  Type.Literal('construction'),
  Type.Literal('procurement'),
  Type.Literal('mergers_acquisitions'),
  Type.Literal('asset_disposal'),
  Type.Literal('credit'),
  Type.Literal('large_funds'),
  Type.Literal('discipline_judicial'),
]);
export type InterferenceMatter = Static<typeof InterferenceMatterSchema>;

/** Any principal: record that a leader (or a leader's relative) tried to interfere (P15). */
export const InterferenceRecordSchema = command('interference.record', {
  bodyId: RefIdSchema,
  who: Type.Object(
    {
      name: Name,
      post: Title,
      relation: Type.Union([Type.Literal('leader'), Type.Literal('relative')]),
      leaderName: Type.Optional(Name),
    },
    { additionalProperties: false }
  ),
  matter: Type.Object(
    { category: InterferenceMatterSchema, text: Text },
    { additionalProperties: false }
  ),
  form: Type.Union([
    Type.Literal('instruction'),
    Type.Literal('request'),
    Type.Literal('message_passed'),
  ]),
  occurredAt: Time,
  details: Type.Optional(LongText),
});
export type InterferenceRecord = Static<typeof InterferenceRecordSchema>;

/** The recorder or the chair: sign the record's digest after the meeting closed (P16). */
export const RecordSignSchema = command('record.sign', {
  meetingId: RefIdSchema,
  recordDigest: Sha256HexSchema,
});
export type RecordSign = Static<typeof RecordSignSchema>;

/** The recorder or the chair: an erratum pointing at the entry it corrects (P16). */
export const ErratumRecordSchema = command('erratum.record', {
  meetingId: RefIdSchema,
  correctsSeq: Type.Integer({ minimum: 0, maximum: 9007199254740991 }),
  text: Text,
});
export type ErratumRecord = Static<typeof ErratumRecordSchema>;

// ---------------------------------------------------------------------------------------------
// The union

/** Every command schema by its `type`. */
export const COMMAND_SCHEMAS = {
  'ledger.genesis': LedgerGenesisSchema,
  'body.create': BodyCreateSchema,
  'principal.register': PrincipalRegisterSchema,
  'principal.update_role': PrincipalUpdateRoleSchema,
  'membership.end': MembershipEndSchema,
  'member.suspend': MemberSuspendSchema,
  'member.reinstate': MemberReinstateSchema,
  'key.rotate': KeyRotateSchema,
  'key.confirm': KeyConfirmSchema,
  'key.revoke': KeyRevokeSchema,
  'rulebook.set': RulebookSetSchema,
  'auditor.appoint': AuditorAppointSchema,
  'ruling.register': RulingRegisterSchema,
  'report.acknowledge': ReportAcknowledgeSchema,
  'meeting.schedule': MeetingScheduleSchema,
  'meeting.cancel': MeetingCancelSchema,
  'meeting.open': MeetingOpenSchema,
  'meeting.arrive': MeetingArriveSchema,
  'meeting.depart': MeetingDepartSchema,
  'meeting.close': MeetingCloseSchema,
  'item.submit': ItemSubmitSchema,
  'item.withdraw': ItemWithdrawSchema,
  'item.deliberate': ItemDeliberateSchema,
  'item.recuse': ItemRecuseSchema,
  'opinion.submit': OpinionSubmitSchema,
  'statement.record': StatementRecordSchema,
  'item.mark_urgent': ItemMarkUrgentSchema,
  'item.defer': ItemDeferSchema,
  'item.escalate': ItemEscalateSchema,
  'item.resubmit': ItemResubmitSchema,
  'vote.open': VoteOpenSchema,
  'vote.cast': VoteCastSchema,
  'ballot.receipt': BallotReceiptSchema,
  'tally.sign': TallySignSchema,
  'vote.close': VoteCloseSchema,
  'reconsideration.open': ReconsiderationOpenSchema,
  'reconsideration.vote': ReconsiderationVoteSchema,
  'reconsideration.close': ReconsiderationCloseSchema,
  'objection.raise': ObjectionRaiseSchema,
  'objection.answer': ObjectionAnswerSchema,
  'interference.record': InterferenceRecordSchema,
  'record.sign': RecordSignSchema,
  'erratum.record': ErratumRecordSchema,
} as const;

/** Every command type. */
export type CommandType = keyof typeof COMMAND_SCHEMAS;

/** The list of command types, in the order above. */
export const COMMAND_TYPES = Object.keys(COMMAND_SCHEMAS) as CommandType[];

/** Any command payload. */
export const CommandSchema = Type.Union(Object.values(COMMAND_SCHEMAS));
export type Command = { [K in CommandType]: Static<(typeof COMMAND_SCHEMAS)[K]> }[CommandType];

/** The payload of the command of type `K`. */
export type CommandOf<K extends CommandType> = Static<(typeof COMMAND_SCHEMAS)[K]>;
