// The Node entry point (package.json "exports", condition "node"): the whole
// public API of index.ts, plus what needs a file system.
export * from './index.js';
export { verifyFile } from '../recorder/verify-file.js';
