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
} from './server.js';
export { openLedgerReadOnly, type ReadOnlyLedger } from './ledger-reader.js';
export { writeExport } from './cli/export.js';
export { main } from './cli.js';
export * from './ledger/index.js';
export { fastVerify, fastSign } from './fast-ed25519.js';
