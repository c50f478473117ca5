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
export {
  DEFAULT_SERVER_LIMITS,
  fastifyServerOptions,
  limitsFromEnv,
  type ServerLimits,
} from './http/server-limits.js';
export { openApiDocument, sortKeys, API_VERSION } from './http/openapi.js';
export { LedgerState } from './state/ledger-state.js';
export { internStrings } from './state/intern-strings.js';
export { rebuildState, rebuildRecordRow, loadLedgerState, startState } from './state/rebuild.js';
export { snapshotKey, snapshotMac, SNAPSHOT_KEY_INFO } from './state/snapshot.js';
export { MeetingRecords } from './state/meeting-records.js';
export { READ_MODEL_FOLLOWERS, type EntryFollower } from './state/followers.js';
export { Webhooks, type Timer } from './webhooks/webhooks.js';
export {
  checkTarget,
  isNonPublicAddress,
  TargetAllowList,
  type Resolver,
} from './webhooks/target-policy.js';
export type { Transport } from './webhooks/transport.js';
export { openServiceDatabase } from './storage/service-db.js';
export { generateOpenApi } from './cli/openapi.js';
export { formatRecord, prettyStream } from './http/pretty-log.js';
export { banner } from './cli/serve.js';
export { ensureDataDir, DataDirError } from './storage/ensure-dir.js';
export { lockDataDir, DataDirLockedError, type DataDirLock } from './storage/serve-lock.js';
export { checkPortFree, PortUnavailableError } from './http/port-check.js';
export { SqliteWitnessStore } from './witness/sqlite-store.js';
export { buildWitnessApp, WITNESS_BODY_LIMIT } from './witness/witness-app.js';
export {
  initWitness,
  startWitnessServer,
  witnessPaths,
  type WitnessServer,
  type WitnessServerOptions,
} from './witness/witness-server.js';
export {
  WitnessCollector,
  type CheckpointSource,
  type WitnessHealth,
} from './witness/collector.js';
export { describeAudit } from './cli/audit.js';
export { describeVerification } from './cli/verify.js';
export { reportLang } from './cli/report-options.js';
export { CLI_COMMAND_ROUTES } from './cli/remote.js';
export { copyStoreToDatabase } from './storage/postgres/init-shared.js';
