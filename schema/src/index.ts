export * from './ledger.js';
export * from './commands.js';
export * from './api.js';
export * from './records.js';
export * from './derived.js';
