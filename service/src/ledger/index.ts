export {
  openDatabase,
  schemaVersion,
  SCHEMA_VERSION,
  STORED_TREE_LEVEL,
  type LedgerDatabase,
} from './database.js';
export { LedgerError, LEDGER_ERROR_CODES, isLedgerError, type LedgerErrorCode } from './error.js';
export { NodeCache } from './node-cache.js';
export { NonceFilter } from './nonce-filter.js';
export {
  LedgerStore,
  type AppendItem,
  type CanonicalTexts,
  type AppendedEntry,
  type AppendRefusalCode,
  type AppendResult,
  type LedgerObserver,
  type LedgerStoreOptions,
  type StoredCheckpoint,
  type StoredEntry,
} from './ledger-store.js';
export {
  LedgerWriter,
  type AppendOptions,
  type LedgerWriterOptions,
  type LedgerWriterStats,
} from './ledger-writer.js';
export {
  Checkpointer,
  type CheckpointerFaults,
  type CheckpointerOptions,
  type CheckpointResult,
} from './checkpointer.js';
export {
  createGenesisCommand,
  initLedger,
  type GenesisOptions,
  type InitLedgerOptions,
} from './genesis.js';
