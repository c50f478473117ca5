// The public surface of @yishi/service: build or start the HTTP service, read its configuration,
// run the `yishi` CLI, write and verify ledger files. Tests and benchmarks reach the parts inside
// through '@yishi/service/internal' (src/internal.ts), which is not a stable API.
export { buildApp, type AppOptions } from './app.js';
export { loadConfig, type LogFormat, type ServerConfig } from './config.js';
export {
  startServer,
  createLogger,
  REDACT_PATHS,
  type RunningServer,
  type ServerDeps,
} from './server.js';
export { ApiError, ERRORS, type ErrorCode } from './http/errors.js';
export { pickLanguage, type Lang, type Bilingual } from './http/i18n.js';
export {
  dataPaths,
  initDataDir,
  isInitialised,
  type DataPaths,
  type InitResult,
} from './storage/data-dir.js';
export { main } from './cli/main.js';
export { writeExport } from './cli/export.js';
export {
  verifyLedgerFile,
  ledgerFileKind,
  defaultWorkers,
  type VerifyFileOptions,
  type LedgerFileVerification,
  type LedgerFileKind,
  type VerifyMode,
} from './verify/verify-file.js';
export {
  initWitness,
  startWitnessServer,
  type WitnessServer,
  type WitnessServerOptions,
} from './witness/witness-server.js';
