export * from './audit/ledger-checks.js';
export * from './audit/verify-ledger.js';
export * from './audit/export-format.js';
export * from './sign-command.js';
export * from './audit/audit-ledger.js';
export * from './audit/verify-decision.js';
export * from './audit/watch-log.js';
