export * from './ledger.js';
export * from './commands.js';
