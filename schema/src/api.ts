/**
 * The HTTP API's bodies: what the service answers and the envelopes it accepts, as TypeBox
 * models (each a schema and its static type). The service's routes take these objects inline and
 * `schema/openapi.json` names them in `components.schemas` (by the `NAMED_API_MODELS` table).
 * Command payloads themselves are in `commands.ts`.
 */
import { Type, type Static, type TSchema } from 'typebox';
import {
  COMMAND_SCHEMAS,
  CategorySchema,
  LedgerIdSchema,
  type CommandType,
  MeetingKindSchema,
  PrincipalIdSchema,
  RefIdSchema,
  ReportIdSchema,
  RoleSchema,
  RuleIdSchema,
} from './commands.js';
import {
  CommandOutcomeSchema,
  DERIVED_SCHEMAS,
  StatementCountsSchema,
  type DerivedOf,
} from './derived.js';
import { PublicKeySchema, Sha256HexSchema, SignatureSchema } from './ledger.js';
import {
  AddresseeSchema,
  CountsSchema,
  EscalationWhySchema,
  ItemResultSchema,
  KeySetByAdminSchema,
  ItemRecordSchema,
  KeyResetMarkSchema,
  LiveItemSchema,
  LiveVoteSchema,
  MeetingRecordSchema,
  MinutesDecisionSchema,
  MotionRecordSchema,
  ObjectionRecordSchema,
  PersonRefSchema,
  MinutesSchema,
  ObjectionAnswerValueSchema,
  ObjectionStateSchema,
  REPORT_SUBJECT_SCHEMAS,
  ReportKindSchema,
  ReportSchema,
  ReportSubjectSchema,
  RulebookSchema,
} from './records.js';

const TsSchema = Type.Integer({ minimum: 0, maximum: 8640000000000000 });
const NonceSchema = Type.String({ pattern: '^[0-9a-f]{32}$' });
const Seq = Type.Integer({ minimum: 0 });
const Time = Type.Integer({ minimum: 0, description: 'ms since the epoch' });
const Nullable = <T extends TSchema>(s: T) => Type.Union([s, Type.Null()]);

// ---------------------------------------------------------------------------------------------
// Errors

/**
 * Every 4xx/5xx body: fastify's shape plus `rule` (P1…P16) when a rule of procedure refused, and
 * `details` when the refusal has evidence. `message` is in English or Simplified Chinese, chosen
 * by `Accept-Language`; `code` is stable (the service's error table or the engine's refusals).
 */
export const ErrorReplySchema = Type.Object(
  {
    statusCode: Type.Integer({ minimum: 400, maximum: 599 }),
    code: Type.String({ pattern: '^[A-Z][A-Z0-9_]*$' }),
    error: Type.String(),
    message: Type.String(),
    rule: Type.Optional(RuleIdSchema),
    details: Type.Optional(Type.Object({}, { additionalProperties: true })),
  },
  { additionalProperties: false }
);
export type ErrorReply = Static<typeof ErrorReplySchema>;

// ---------------------------------------------------------------------------------------------
// Commands

/**
 * The request body of a state-changing route: a command exactly as its principal signed it, with
 * `payload` validated against the route's command schema (no property added, removed or coerced).
 */
export function signedCommandOf<T extends TSchema>(payload: T) {
  return Type.Object(
    { payload, publicKey: PublicKeySchema, signature: SignatureSchema },
    { additionalProperties: false }
  );
}

const resultProps = {
  seq: Seq,
  leafHash: Sha256HexSchema,
  time: Time,
  outcome: CommandOutcomeSchema,
};

/**
 * What a state-changing route answers once the entry is durable (201, and on a retry): the
 * entry's position, leaf hash and time, what the rules derived (as written to the entry, typed per
 * command by {@link COMMAND_RESULT_SCHEMAS}) and the explicit `outcome` (not on the ledger).
 */
export const CommandResultSchema = Type.Object(
  {
    ...resultProps,
    derived: Type.Object(
      {},
      {
        additionalProperties: true,
        description: 'what the rules derived (ids, outcome, reports): see the per-command results',
      }
    ),
  },
  { additionalProperties: false }
);
export type CommandResult = Static<typeof CommandResultSchema>;

function commandResultOf<K extends CommandType>(type: K) {
  return Type.Object(
    { ...resultProps, derived: DERIVED_SCHEMAS[type] },
    { additionalProperties: false, description: `What an accepted ${type} answers` }
  );
}

type CommandResultSchemas = {
  [K in CommandType]: ReturnType<typeof commandResultOf<K>>;
};

/** The answer of each command type's route: {@link CommandResultSchema} with its `derived`. */
export const COMMAND_RESULT_SCHEMAS = Object.fromEntries(
  Object.keys(COMMAND_SCHEMAS).map((type) => [type, commandResultOf(type as CommandType)])
) as CommandResultSchemas;

/** What an accepted command of type `K` answers. */
export type CommandResultOf<K extends CommandType> = Omit<CommandResult, 'derived'> & {
  derived: DerivedOf<K>;
};

function serviceCommand<T extends string, P extends Record<string, TSchema>>(type: T, props: P) {
  return Type.Object(
    {
      type: Type.Literal(type),
      ts: TsSchema,
      nonce: NonceSchema,
      // Protocol v2: required, as no service command was ever signed under v1.
      ledger: LedgerIdSchema,
      ...props,
    },
    { additionalProperties: false }
  );
}

/**
 * Admin: register a webhook that receives every report addressed upward (P13). A service
 * command: signed like a ledger command, kept by the service, never written to the ledger.
 */
export const WebhookRegisterSchema = serviceCommand('webhook.register', {
  url: Type.String({ pattern: '^https?://[^\\s]+$', minLength: 8, maxLength: 2000 }),
});
export type WebhookRegister = Static<typeof WebhookRegisterSchema>;

/** Admin: stop delivering to a webhook. A service command, as above. */
export const WebhookRemoveSchema = serviceCommand('webhook.remove', {
  webhookId: Type.String({ pattern: '^wh-[0-9]{1,16}$' }),
});
export type WebhookRemove = Static<typeof WebhookRemoveSchema>;

// ---------------------------------------------------------------------------------------------
// Reads

/** The signed-in principal, as `GET /principals/me` and the directory show it. */
export const PrincipalViewSchema = Type.Object(
  {
    principalId: PrincipalIdSchema,
    name: Type.String(),
    role: RoleSchema,
    bodyId: Nullable(RefIdSchema),
    votes: Type.Boolean(),
    suspended: Type.Boolean(),
    active: Type.Boolean(),
    keys: Type.Array(PublicKeySchema),
    auditorOf: Type.Array(RefIdSchema),
    registeredSeq: Seq,
  },
  { additionalProperties: false }
);
export type PrincipalView = Static<typeof PrincipalViewSchema>;

/** A body with its members and the rulebook in force. */
export const BodyViewSchema = Type.Object(
  {
    bodyId: RefIdSchema,
    name: Type.String(),
    chairId: Nullable(PrincipalIdSchema),
    createdSeq: Seq,
    rulebookVersion: Type.Integer({ minimum: 1 }),
    rulebook: RulebookSchema,
    members: Type.Array(
      Type.Object(
        {
          principalId: PrincipalIdSchema,
          name: Type.String(),
          role: RoleSchema,
          votes: Type.Boolean(),
          suspended: Type.Boolean(),
        },
        { additionalProperties: false }
      )
    ),
  },
  { additionalProperties: false }
);
export type BodyView = Static<typeof BodyViewSchema>;

/** An agenda item in a meeting summary. */
export const ItemSummarySchema = Type.Object(
  {
    itemId: RefIdSchema,
    category: CategorySchema,
    title: Type.String(),
    state: Type.String(),
    submitterId: PrincipalIdSchema,
    materialsDigest: Sha256HexSchema,
    previousItemId: Nullable(RefIdSchema),
    urgent: Type.Boolean(),
    outcome: Nullable(
      Type.Object(
        { result: ItemResultSchema, rule: RuleIdSchema, basis: Type.String() },
        { additionalProperties: false }
      )
    ),
  },
  { additionalProperties: false }
);
export type ItemSummary = Static<typeof ItemSummarySchema>;

/** A meeting at a glance: live, closed, archived (record signed by both) or cancelled. */
export const MeetingSummarySchema = Type.Object(
  {
    meetingId: RefIdSchema,
    bodyId: RefIdSchema,
    kind: MeetingKindSchema,
    title: Type.String(),
    state: Type.Union([
      Type.Literal('scheduled'),
      Type.Literal('open'),
      Type.Literal('closed'),
      Type.Literal('archived'),
      Type.Literal('cancelled'),
    ]),
    scheduledStart: Time,
    openedAt: Nullable(Time),
    closedAt: Nullable(Time),
    denominator: Type.Integer({ minimum: 0 }),
    present: Type.Array(PrincipalIdSchema),
    current: Nullable(RefIdSchema),
    minutes: Nullable(
      Type.Object({ year: Type.Integer(), number: Type.Integer() }, { additionalProperties: false })
    ),
    recordDigest: Nullable(Sha256HexSchema),
    items: Type.Array(ItemSummarySchema),
  },
  { additionalProperties: false }
);
export type MeetingSummary = Static<typeof MeetingSummarySchema>;

/** The live detail of one item (statements, recusals, votes as the rules hold them). */
export const ItemDetailSchema = Type.Object(
  {
    itemId: RefIdSchema,
    meetingId: RefIdSchema,
    bodyId: RefIdSchema,
    item: LiveItemSchema,
  },
  { additionalProperties: false }
);
export type ItemDetail = Static<typeof ItemDetailSchema>;

/** Who signed a closed meeting's record digest, by ledger seq (P16). */
const RecordSignaturesSchema = Type.Object(
  { recorder: Nullable(Seq), chair: Nullable(Seq) },
  { additionalProperties: false }
);

/**
 * The record of a meeting (P16). `final` once the meeting closed: the record is then the one whose
 * digest the recorder and the chair sign; before, a provisional record of the meeting so far.
 */
export const RecordReplySchema = Type.Object(
  {
    meetingId: RefIdSchema,
    final: Type.Boolean(),
    recordDigest: Nullable(Sha256HexSchema),
    signatures: RecordSignaturesSchema,
    record: MeetingRecordSchema,
  },
  { additionalProperties: false }
);
export type RecordReply = Static<typeof RecordReplySchema>;

/** The minutes of a closed meeting (P16), committing to the record's digest. */
export const MinutesReplySchema = Type.Object(
  {
    meetingId: RefIdSchema,
    recordDigest: Sha256HexSchema,
    signatures: RecordSignaturesSchema,
    minutes: MinutesSchema,
  },
  { additionalProperties: false }
);
export type MinutesReply = Static<typeof MinutesReplySchema>;

/** A procedural objection (P14). */
export const ObjectionViewSchema = Type.Object(
  {
    objectionId: RefIdSchema,
    bodyId: RefIdSchema,
    meetingId: RefIdSchema,
    itemId: Nullable(RefIdSchema),
    raisedBy: PrincipalIdSchema,
    rule: RuleIdSchema,
    text: Type.String(),
    seq: Seq,
    state: ObjectionStateSchema,
    answer: Nullable(
      Type.Object(
        {
          by: PrincipalIdSchema,
          answer: ObjectionAnswerValueSchema,
          reasons: Type.String(),
          seq: Seq,
        },
        { additionalProperties: false }
      )
    ),
    escalation: Nullable(
      Type.Object(
        { seq: Seq, reportId: ReportIdSchema, why: EscalationWhySchema },
        { additionalProperties: false }
      )
    ),
    ruling: Nullable(
      Type.Object(
        {
          seq: Seq,
          decision: Type.String({ description: 'the ruling: `upheld` or `dismissed`' }),
        },
        { additionalProperties: false }
      )
    ),
  },
  { additionalProperties: false }
);
export type ObjectionView = Static<typeof ObjectionViewSchema>;

/** An interference record (P15): readable by the discipline role, admins and auditors only. */
export const InterferenceViewSchema = Type.Object(
  {
    interferenceId: RefIdSchema,
    bodyId: RefIdSchema,
    seq: Seq,
    time: Time,
    recordedBy: PrincipalIdSchema,
    reportId: ReportIdSchema,
    deliverTo: Type.Array(PrincipalIdSchema),
    subject: REPORT_SUBJECT_SCHEMAS.interference,
  },
  { additionalProperties: false }
);
export type InterferenceView = Static<typeof InterferenceViewSchema>;

const reportViewProps = {
  reportId: ReportIdSchema,
  kind: ReportKindSchema,
  addressee: AddresseeSchema,
  bodyId: RefIdSchema,
  seq: Seq,
  time: Time,
  acknowledgedSeq: Nullable(Seq),
};

/**
 * A report addressed upward (P13), in the outbox until an admin acknowledges it. `subject` is the
 * subject of its `kind` (see {@link REPORT_SUBJECT_SCHEMAS}).
 */
export const ReportViewSchema = Type.Object(
  { ...reportViewProps, subject: ReportSubjectSchema },
  { additionalProperties: false }
);
export type ReportView = Static<typeof ReportViewSchema>;

/**
 * A report as a webhook carries it: of its subject only the ids (keys ending in `Id`); the
 * content stays behind the signed reads.
 */
export const WebhookReportSchema = Type.Object(
  {
    ...reportViewProps,
    subject: Type.Record(Type.String({ pattern: 'Id$' }), Type.String(), {
      description: "the subject's ids only",
    }),
  },
  { additionalProperties: false }
);
export type WebhookReport = Static<typeof WebhookReportSchema>;

/** A registered webhook. */
export const WebhookViewSchema = Type.Object(
  {
    webhookId: Type.String(),
    url: Type.String(),
    registeredBy: PrincipalIdSchema,
    createdAt: Time,
    active: Type.Boolean(),
  },
  { additionalProperties: false }
);
export type WebhookView = Static<typeof WebhookViewSchema>;

/** One attempt to deliver a report to a webhook. */
export const WebhookDeliverySchema = Type.Object(
  {
    webhookId: Type.String(),
    reportId: ReportIdSchema,
    attempt: Type.Integer({ minimum: 1 }),
    at: Time,
    ok: Type.Boolean(),
    httpStatus: Nullable(Type.Integer()),
    error: Nullable(Type.String()),
  },
  { additionalProperties: false }
);
export type WebhookDelivery = Static<typeof WebhookDeliverySchema>;

/**
 * How old a webhook delivery may be when it is received: a receiver refuses one whose `sentAt`
 * is more than this from its clock (5 minutes, the window of signed commands and reads).
 */
export const WEBHOOK_MAX_AGE_MS = 300_000;

/**
 * What a webhook receives (POST, `application/json`), signed by the log key: the header
 * `Yishi-Signature: <base64>` is Ed25519 over `yishi/webhook/v2\n` + the canonical JSON of this
 * body, verifiable with the log's public key (`GET /log/key`). The body names the target `url`,
 * the `deliveryId` and the time `sentAt`: a receiver checks the signature, that `url` is its own
 * address and that `sentAt` is within {@link WEBHOOK_MAX_AGE_MS} of its clock, and acts on each
 * `deliveryId` once.
 */
export const WebhookPayloadSchema = Type.Object(
  {
    url: Type.String({ description: 'the address this delivery was sent to' }),
    webhookId: Type.String(),
    deliveryId: Type.String(),
    attempt: Type.Integer({ minimum: 1 }),
    sentAt: Time,
    report: WebhookReportSchema,
  },
  { additionalProperties: false }
);
export type WebhookPayload = Static<typeof WebhookPayloadSchema>;

/** `GET /ledger/info` (public): which ledger the service keeps, so a client can pin it. */
export const LedgerInfoSchema = Type.Object(
  {
    ledgerId: Type.String({ description: "the genesis's ledgerId: every v2 signature names it" }),
    origin: Type.String({ description: 'the checkpoint origin (C2SP tlog-checkpoint)' }),
    logVkey: Type.String({ description: "the log's verifier key (C2SP signed-note vkey)" }),
    protocol: Type.Integer({
      minimum: 1,
      description: 'the protocol the genesis declares (1 for ledgers begun before v2)',
    }),
  },
  { additionalProperties: false }
);
export type LedgerInfo = Static<typeof LedgerInfoSchema>;

/**
 * An entry that changed a principal's keys (issue 13): its registration, a rotation by itself, a
 * reset by an admin (`setByAdmin`), the confirmation of a reset key, a revocation. `by` is the
 * principal whose key signed the entry.
 */
export const KeyEventSchema = Type.Object(
  {
    seq: Seq,
    type: Type.String({ description: "the entry's command type (genesis for the first admin)" }),
    by: Type.String({ description: 'the principal who signed the entry' }),
    setByAdmin: Type.Boolean({ description: "an admin set this principal's key (a reset)" }),
    time: Type.Integer({ minimum: 0, description: "the entry's time, ms since the epoch" }),
    publicKeys: Type.Array(PublicKeySchema, {
      description: "the principal's keys this entry added or revoked",
    }),
  },
  { additionalProperties: false }
);
export type KeyEvent = Static<typeof KeyEventSchema>;

/** The key events concerning a principal, oldest first. */
export const KeyEventListSchema = Type.Object(
  { principalId: PrincipalIdSchema, events: Type.Array(KeyEventSchema) },
  { additionalProperties: false }
);
export type KeyEventList = Static<typeof KeyEventListSchema>;

/** Models that `schema/openapi.json` names in `components.schemas`. */
export const NAMED_API_MODELS = {
  LedgerInfo: LedgerInfoSchema,
  KeyEvent: KeyEventSchema,
  KeyEventList: KeyEventListSchema,
  ErrorReply: ErrorReplySchema,
  CommandResult: CommandResultSchema,
  PrincipalView: PrincipalViewSchema,
  BodyView: BodyViewSchema,
  ItemSummary: ItemSummarySchema,
  MeetingSummary: MeetingSummarySchema,
  ItemDetail: ItemDetailSchema,
  RecordReply: RecordReplySchema,
  MinutesReply: MinutesReplySchema,
  ObjectionView: ObjectionViewSchema,
  InterferenceView: InterferenceViewSchema,
  ReportView: ReportViewSchema,
  WebhookView: WebhookViewSchema,
  WebhookDelivery: WebhookDeliverySchema,
  WebhookPayload: WebhookPayloadSchema,
  WebhookReport: WebhookReportSchema,
  CommandOutcome: CommandOutcomeSchema,
  Counts: CountsSchema,
  StatementCounts: StatementCountsSchema,
  KeySetByAdmin: KeySetByAdminSchema,
  Rulebook: RulebookSchema,
  LiveItem: LiveItemSchema,
  MeetingRecord: MeetingRecordSchema,
  Minutes: MinutesSchema,
  Report: ReportSchema,
  ReportSubject: ReportSubjectSchema,
  AdoptedMajorMatterSubject: REPORT_SUBJECT_SCHEMAS.adopted_major_matter,
  UrgentOverrideSubject: REPORT_SUBJECT_SCHEMAS.urgent_override,
  EscalationSubject: REPORT_SUBJECT_SCHEMAS.escalation,
  ObjectionSubject: REPORT_SUBJECT_SCHEMAS.objection,
  InterferenceSubject: REPORT_SUBJECT_SCHEMAS.interference,
  KeyResetSubject: REPORT_SUBJECT_SCHEMAS.key_reset,
  LiveVote: LiveVoteSchema,
  PersonRef: PersonRefSchema,
  ItemRecord: ItemRecordSchema,
  MotionRecord: MotionRecordSchema,
  ObjectionRecord: ObjectionRecordSchema,
  KeyResetMark: KeyResetMarkSchema,
  MinutesDecision: MinutesDecisionSchema,
} as const;

const pascal = (type: string): string =>
  type.replace(/(^|[._])([a-z])/g, (_m, _s, c: string) => c.toUpperCase());

/**
 * Per-command models `schema/openapi.json` names too: `<Type>Derived` (what the rules derived)
 * and `<Type>Result` (what the route answers), e.g. `VoteCloseDerived`, `VoteCloseResult`.
 */
export const NAMED_RESULT_MODELS: Record<string, TSchema> = Object.fromEntries(
  (Object.keys(COMMAND_SCHEMAS) as CommandType[]).flatMap((type) => [
    [`${pascal(type)}Derived`, DERIVED_SCHEMAS[type]],
    [`${pascal(type)}Result`, COMMAND_RESULT_SCHEMAS[type]],
  ])
);
