import { Type, type Static } from 'typebox';

/** Hex of a SHA-256 digest: 64 lowercase hex characters. */
export const Sha256HexSchema = Type.String({ pattern: '^[0-9a-f]{64}$' });

/** Standard base64 of a 32-byte Ed25519 public key. */
export const PublicKeySchema = Type.String({
  pattern: '^[A-Za-z0-9+/]{43}=$',
  description: 'Ed25519 public key, 32 bytes, standard base64',
});

/** Standard base64 of a 64-byte Ed25519 signature. */
export const SignatureSchema = Type.String({
  pattern: '^[A-Za-z0-9+/]{86}==$',
  description: 'Ed25519 signature, 64 bytes, standard base64',
});

/**
 * What a principal signs. `type` names the command; `ts` is the client's clock (ms since the
 * epoch, checked for skew by the service, never used to decide whether a key may sign); `nonce`
 * is 16 random bytes in hex, never seen twice. The other fields depend on `type` (see
 * `@yishi/procedure`). Under protocol v2 every payload also names its ledger (`ledger`, the id
 * the genesis declares) and the signature covers `yishi/command/v2\n` followed by the RFC 8785
 * canonical bytes of this object; a v1 payload (no `ledger`, only on ledgers begun under v1) was
 * signed under `yishi/command/v1` (see {@link commandSigningContext}).
 */
export const CommandPayloadSchema = Type.Object(
  {
    type: Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z][a-z0-9_.]*$' }),
    ts: Type.Integer({ minimum: 0, maximum: 8640000000000000 }),
    nonce: Type.String({ pattern: '^[0-9a-f]{32}$' }),
    ledger: Type.Optional(
      Type.String({ minLength: 1, maxLength: 128, description: 'the ledger id (protocol v2)' })
    ),
  },
  { additionalProperties: true }
);
export type CommandPayload = Static<typeof CommandPayloadSchema> & Record<string, unknown>;

/** A command exactly as its principal signed it. */
export const SignedCommandSchema = Type.Object(
  {
    payload: CommandPayloadSchema,
    publicKey: PublicKeySchema,
    signature: SignatureSchema,
  },
  { additionalProperties: false }
);
/** The schema's type, with the payload open to the fields its command type adds. */
export type SignedCommand = Omit<Static<typeof SignedCommandSchema>, 'payload'> & {
  payload: CommandPayload;
};

/**
 * One ledger entry. Its leaf hash is SHA-256(0x00 || JCS(entry)) (RFC 6962 leaf hashing over the
 * RFC 8785 canonical bytes); `prev` is the previous entry's leaf hash (64 zeros for entry 0), so
 * the hash chain and the Merkle tree commit to the same bytes. `salt` (16 random bytes, hex) keeps
 * published hashes from revealing content. `derived` is what the service derived from the command
 * (ids it assigned, the outcome the rules gave); an auditor re-derives it by replay.
 */
export const LedgerEntrySchema = Type.Object(
  {
    v: Type.Literal(1),
    seq: Type.Integer({ minimum: 0 }),
    prev: Sha256HexSchema,
    time: Type.Integer({ minimum: 0, description: 'service receive time, ms since the epoch' }),
    salt: Type.String({ pattern: '^[0-9a-f]{32}$' }),
    command: SignedCommandSchema,
    derived: Type.Unknown(),
  },
  { additionalProperties: false }
);
/** The schema's type, with the command's payload open as in {@link SignedCommand}. */
export type LedgerEntry = Omit<Static<typeof LedgerEntrySchema>, 'command'> & {
  command: SignedCommand;
};

/** The hash chain's anchor: `prev` of entry 0. */
export const GENESIS_PREV = '0'.repeat(64);

/**
 * Domain-separation contexts: every signed message starts with one of these and a newline.
 * Protocol v2 (issue 13): commands, reads and webhooks name the ledger they are for.
 */
export const SIGNING_CONTEXTS = {
  command: 'yishi/command/v2',
  read: 'yishi/read/v2',
  record: 'yishi/record/v1',
  tally: 'yishi/tally/v1',
  webhook: 'yishi/webhook/v2',
} as const;
export type SigningContext = (typeof SIGNING_CONTEXTS)[keyof typeof SIGNING_CONTEXTS];

/**
 * The contexts of protocol v1: commands already on ledgers begun before v2 verify under them.
 * Nothing new is signed or accepted under them (docs/decisions/0019-protocol-v2-ledger-binding.md).
 */
export const V1_SIGNING_CONTEXTS = {
  command: 'yishi/command/v1',
  read: 'yishi/read/v1',
  webhook: 'yishi/webhook/v1',
} as const;

/** The protocol version a new ledger's genesis declares (`protocol`); absent means 1. */
export const PROTOCOL_VERSION = 2;

/**
 * The context a command payload was signed under: `yishi/command/v2` when it names its ledger
 * (own property `ledger`), else `yishi/command/v1`. A v1 signature cannot be relabelled as v2:
 * adding `ledger` changes the context and so the signed bytes. Never throws.
 */
export function commandSigningContext(payload: unknown): string {
  return typeof payload === 'object' && payload !== null && Object.hasOwn(payload, 'ledger')
    ? SIGNING_CONTEXTS.command
    : V1_SIGNING_CONTEXTS.command;
}

/** Command type of entry 0: the ledger's genesis, signed by the log key. */
export const GENESIS_COMMAND_TYPE = 'ledger.genesis';
