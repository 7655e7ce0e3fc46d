#!/usr/bin/env node
// The enclave component in Node, through jco's transpiled bindings
// (docs/component.md). Run after `npm run build`:
//   node examples/component-node.mjs
// It prints SHA3-256("abc") and an ML-KEM-768 round trip, and exits 1 if the
// shared secrets differ. tests/component.test.ts runs it.
import { randomBytes } from 'node:crypto';
import { info, sha3, mlKem } from '../build/component/enclave.js';

const hex = (b) => Buffer.from(b).toString('hex');

console.log(`abi-version ${info.abiVersion()}, io-bytes ${info.ioBytes()}`);
// rate 136, ds 0x06: SHA3-256.
console.log(`sha3-256("abc") ${hex(sha3.oneshot(136, 0x06, new TextEncoder().encode('abc'), 32))}`);

const { ek, dk } = mlKem.keygen(768, randomBytes(64));
const { ct, ss } = mlKem.encaps(768, ek, randomBytes(32));
const ss2 = mlKem.decaps(768, dk, ct);
console.log(`ml-kem-768 ek ${ek.length} B, dk ${dk.length} B, ct ${ct.length} B, shared secrets ${hex(ss) === hex(ss2) ? 'equal' : 'DIFFER'}`);

try {
  mlKem.keygen(768, new Uint8Array(63)); // a seed is 64 bytes
} catch (e) {
  // err(status) arrives as jco's ComponentError; its payload is the abi/status.ts number.
  console.log(`a 63-byte seed: err(${e.payload})`);
}
process.exit(hex(ss) === hex(ss2) ? 0 : 1);
