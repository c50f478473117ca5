/** The readable report: entry contexts, field differences, wording in English and Chinese. */
export * from './context.js';
export * from './diff.js';
export * from './explain.js';
export * from './messages.js';
export * from './text.js';
