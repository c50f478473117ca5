// '@yishi/service/internal': the public surface plus the modules inside the service, for the
// repository's tests and benchmarks. Not a stable API: anything here may change in any release.
export * from './index.js';
export * from './ledger/index.js';
export {
  feedLedgerDatabase,
  openLedgerReadOnly,
  type LedgerRowSink,
  type ReadOnlyLedger,
} from './verify/ledger-database.js';
export {
  cachedPublicKeys,
  ED25519_BACKEND,
  explainVerify,
  fastPublicKey,
  fastSign,
  fastVerify,
  KEY_CACHE_LIMIT,
  NODE_ED25519_SIGNING,
  sodiumVerify,
} from './crypto-fast/fast-ed25519.js';
export {
  acceptableKey,
  cachedKeyVerdicts,
  KEY_VERDICT_CACHE_LIMIT,
  MAX_SKEW_MS,
  verifyCommandSignature,
  verifySignerSignature,
} from './auth/principal.js';
export { canonicalSignedCommand } from './commands/canonical-command.js';
export { COMMAND_ROUTES, type CommandRoute } from './routes/command-table.js';
export {
  CommandPipeline,
  openCommandPipeline,
  type CommandPipelineOptions,
  type OpenPipelineOptions,
  type PipelineStatus,
} from './commands/pipeline.js';
export { RefusedError, refusalError } from './commands/refusals.js';
export { refusalStatus, type ServiceErrorCode } from './http/errors.js';
export { RateLimiter } from './http/rate-limit.js';
export { openApiDocument, sortKeys, API_VERSION } from './http/openapi.js';
export { LedgerState } from './state/ledger-state.js';
export { rebuildState, loadLedgerState, startState } from './state/rebuild.js';
export { READ_MODEL_FOLLOWERS, type EntryFollower } from './state/followers.js';
export { Webhooks, type Timer } from './webhooks/webhooks.js';
export { openServiceDatabase } from './storage/service-db.js';
export { generateOpenApi } from './cli/openapi.js';
export { describeAudit } from './cli/audit.js';
