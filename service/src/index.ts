export { buildApp, type AppOptions } from './app.js';
export { ApiError, ERRORS, type ErrorCode } from './errors.js';
export { pickLanguage, type Lang, type Bilingual } from './i18n.js';
export {
  dataPaths,
  initDataDir,
  isInitialised,
  type DataPaths,
  type InitResult,
} from './data-dir.js';
export {
  loadConfig,
  startServer,
  createLogger,
  REDACT_PATHS,
  type ServerConfig,
  type ServerDeps,
} from './server.js';
export {
  feedLedgerDatabase,
  openLedgerReadOnly,
  type LedgerRowSink,
  type ReadOnlyLedger,
} from './verify/ledger-database.js';
export { writeExport } from './cli/export.js';
export { main } from './cli.js';
export * from './ledger/index.js';
export { fastVerify, fastSign, fastPublicKey } from './fast-ed25519.js';
export { COMMAND_ROUTES, type CommandRoute } from './routes/command-table.js';
export {
  CommandPipeline,
  openCommandPipeline,
  type CommandPipelineOptions,
  type OpenPipelineOptions,
  type PipelineStatus,
} from './commands/pipeline.js';
export { refusalStatus } from './commands/refusals.js';
export { RateLimiter } from './rate-limit.js';
export { MAX_SKEW_MS } from './auth/principal.js';
export { openApiDocument, sortKeys, API_VERSION } from './openapi.js';
export { LedgerState } from './state/ledger-state.js';
export { rebuildState, loadLedgerState, startState } from './state/rebuild.js';
export { READ_MODEL_FOLLOWERS, type EntryFollower } from './state/followers.js';
export { Webhooks, type Timer } from './webhooks/webhooks.js';
export { openServiceDatabase } from './service-db.js';
export { generateOpenApi } from './cli/openapi.js';
export {
  verifyLedgerFile,
  ledgerFileKind,
  defaultWorkers,
  type VerifyFileOptions,
  type LedgerFileVerification,
  type LedgerFileKind,
  type VerifyMode,
} from './verify/verify-file.js';
