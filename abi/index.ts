export * from './status.js';
export * from './lengths.js';
