// NIST ACVP ML-DSA (FIPS 204) vector files in tests/vectors/: keyGen and
// sigVer as internalProjection.json.gz (inputs and expected results
// together), sigGen as prompt.json.gz + expectedResults.json.gz (matched by
// tgId/tcId). Also the ACVP names of the HashML-DSA pre-hash functions.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { sha224, sha256, sha384, sha512, sha512_224, sha512_256 } from '@noble/hashes/sha2.js';
import { sha3_224, sha3_256, sha3_384, sha3_512, shake128_32, shake256_64 } from '@noble/hashes/sha3.js';
import type { CHash } from '@noble/hashes/utils.js';
import type { AcvpFile } from './vectors.js';

const VECTORS = join(dirname(fileURLToPath(import.meta.url)), '..', 'vectors');

function readGz<T>(folder: string, file: string): T {
  return JSON.parse(gunzipSync(readFileSync(join(VECTORS, folder, file))).toString('utf8')) as T;
}

export type DsaParameterSet = 'ML-DSA-44' | 'ML-DSA-65' | 'ML-DSA-87';

export interface DsaKeyGenGroup {
  tgId: number;
  testType: string;
  parameterSet: DsaParameterSet;
  tests: { tcId: number; deferred: boolean; seed: string; pk: string; sk: string }[];
}

export interface DsaSigGenCase {
  tcId: number;
  sk: string;
  message?: string;
  mu?: string;
  context?: string;
  rnd?: string;
  hashAlg?: string;
  /** From expectedResults.json.gz. */
  signature: string;
}

export interface DsaSigGenGroup {
  tgId: number;
  testType: string;
  parameterSet: DsaParameterSet;
  deterministic: boolean;
  signatureInterface: 'internal' | 'external';
  preHash?: 'pure' | 'preHash';
  externalMu?: boolean;
  tests: DsaSigGenCase[];
}

export interface DsaSigVerCase {
  tcId: number;
  testPassed: boolean;
  deferred: boolean;
  pk: string;
  sk: string;
  message?: string;
  mu?: string;
  context?: string;
  hashAlg: string; // "none" outside HashML-DSA
  signature: string;
  reason: string;
}

export interface DsaSigVerGroup {
  tgId: number;
  testType: string;
  parameterSet: DsaParameterSet;
  signatureInterface: 'internal' | 'external';
  preHash: 'pure' | 'preHash' | 'none';
  externalMu: boolean;
  tests: DsaSigVerCase[];
}

export const loadDsaKeyGen = () => readGz<AcvpFile<DsaKeyGenGroup>>('ML-DSA-keyGen-FIPS204', 'internalProjection.json.gz');
export const loadDsaSigVer = () => readGz<AcvpFile<DsaSigVerGroup>>('ML-DSA-sigVer-FIPS204', 'internalProjection.json.gz');

/** sigGen prompt with each case's expected signature merged in (throws if any is missing). */
export function loadDsaSigGen(): AcvpFile<DsaSigGenGroup> {
  type PromptGroup = Omit<DsaSigGenGroup, 'tests'> & { tests: Omit<DsaSigGenCase, 'signature'>[] };
  const prompt = readGz<AcvpFile<PromptGroup>>('ML-DSA-sigGen-FIPS204', 'prompt.json.gz');
  const expected = readGz<AcvpFile<{ tgId: number; tests: { tcId: number; signature: string }[] }>>('ML-DSA-sigGen-FIPS204', 'expectedResults.json.gz');
  const sigs = new Map<string, string>();
  for (const g of expected.testGroups) for (const t of g.tests) sigs.set(`${g.tgId}/${t.tcId}`, t.signature);
  const groups = prompt.testGroups.map((g) => ({
    ...g,
    tests: g.tests.map((t) => {
      const signature = sigs.get(`${g.tgId}/${t.tcId}`);
      if (signature === undefined) throw new Error(`sigGen: no expected result for tgId ${g.tgId} tcId ${t.tcId}`);
      sigs.delete(`${g.tgId}/${t.tcId}`);
      return { ...t, signature };
    }),
  }));
  if (sigs.size !== 0) throw new Error(`sigGen: ${sigs.size} expected results without a prompt`);
  return { ...prompt, testGroups: groups };
}

/**
 * ACVP hashAlg names of FIPS 204 section 5.4 pre-hash functions, as
 * @noble/hashes CHash objects (with .oid). SHAKE-128 / SHAKE-256 are the XOFs
 * at 256 / 512 output bits (FIPS 204 section 5.4.1): noble's shake128_32 and
 * shake256_64 (the bare shake128/shake256 default to 16/32 bytes).
 */
export const PREHASH: Record<string, CHash> = {
  'SHA2-224': sha224,
  'SHA2-256': sha256,
  'SHA2-384': sha384,
  'SHA2-512': sha512,
  'SHA2-512/224': sha512_224,
  'SHA2-512/256': sha512_256,
  'SHA3-224': sha3_224,
  'SHA3-256': sha3_256,
  'SHA3-384': sha3_384,
  'SHA3-512': sha3_512,
  'SHAKE-128': shake128_32 as unknown as CHash,
  'SHAKE-256': shake256_64 as unknown as CHash,
};

/** Security level of each parameter set (noble 0.7 prehash() refuses a hash with outputLen * 4 below it). */
export const LEVEL: Record<DsaParameterSet, number> = { 'ML-DSA-44': 128, 'ML-DSA-65': 192, 'ML-DSA-87': 256 };

/** Whether noble 0.7's prehash(hash) accepts `hash` for this parameter set (collision strength >= level). */
export const prehashAllowed = (set: DsaParameterSet, hash: CHash): boolean => hash.outputLen * 4 >= LEVEL[set];
