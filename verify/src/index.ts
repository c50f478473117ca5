/**
 * @yishi/verify — the auditor's toolkit: the reference ledger verifier, the rule-replay auditor,
 * the export format, decision proofs and the log watcher. Pure and browser-safe (no I/O, no
 * `node:` imports). This file is the package's only door.
 */
export * from './error.js';
export * from './verify-ledger.js';
export * from './export-format.js';
export * from './redacted.js';
export * from './audit-ledger.js';
export * from './verify-decision.js';
export * from './watch-log.js';
export * from './log-checks.js';
export * from './cosignature.js';
export * from './policy.js';
export * from './witness.js';
export * from './verify-record.js';
export * from './report/index.js';
