// The public API of awre. The noble-compatible surface first: switching from
// @noble/post-quantum / @noble/hashes is a change of import.
export { ml_kem512, ml_kem768, ml_kem1024 } from './mlkem.js';
export type { MLKEM, KEMPrepared, KEMLengths } from './mlkem.js';
export { ml_dsa44, ml_dsa65, ml_dsa87 } from './mldsa.js';
export type { MLDSA, DSAInternal, Signer, DSALengths, SigOpts, VerOpts } from './mldsa.js';
export { gcm } from './gcm.js';
export type { Cipher, GcmOpts } from './gcm.js';
export { sha3_224, sha3_256, sha3_384, sha3_512, shake128, shake256, Keccak, hashBits } from './sha3.js';
export type { CHash, CHashXOF, ShakeOpts } from './sha3.js';
export { AwreError } from './errors.js';
export type { AwreErrorCode } from './errors.js';
export { Enclave, defaultEnclave } from './enclave/enclave.js';
export type { EnclaveExports } from './enclave/enclave.js';
export { modulePath, readModule, moduleDigest, moduleUrl, setModule, loadModule, init } from './enclave/module.js';
export type { InitOptions, ModuleName } from './enclave/module.js';
export * as abi from '../abi/index.js';
export * as qrng from './qrng/index.js';
export { TenantPair, PEER_PAGE, MAX_FRAME_BYTES } from './tenants.js';
export type { Handshake, PairOptions, TenantRole } from './tenants.js';
export { wasmFeatures, type WasmFeatures } from './features.js';
// The auditor's verifier (docs/verify.md): a pure function of a log's bytes,
// the same in Node and in browsers. verifyFile (Node only) is in the "node"
// entry point (index-node.ts).
export { verifyLog, verifyChunks, LogVerifier, MAX_LINE, MAX_DEPTH } from '../recorder/verify.js';
export type { VerifyOptions, VerifyReport, Finding, Severity } from '../recorder/verify.js';
export { verifyAttestation, verifyIdentity, verifyCosignature44 } from '../recorder/attest.js';
export { parseAttestationKey } from '../recorder/keys.js';
export { parsePolicy, type Policy } from '../recorder/policy.js';
export { parseTlogPolicy, type TlogPolicy } from '../recorder/tlog-policy.js';
export { fingerprint, parseNodeIdentity, type NodeIdentity } from '../recorder/identity.js';
export { renderHtml, type HtmlReportInput } from '../recorder/html.js';
