export * from './ledger.js';
export * from './commands.js';
export * from './api.js';
