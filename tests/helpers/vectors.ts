// Loading the NIST ACVP vector files copied into tests/vectors/<folder>/.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const VECTORS = join(dirname(fileURLToPath(import.meta.url)), '..', 'vectors');

export interface AcvpFile<G> {
  vsId: number;
  algorithm: string;
  mode?: string;
  revision: string;
  isSample: boolean;
  testGroups: G[];
}

/** Parse tests/vectors/<folder>/internalProjection.json.gz. */
export function loadAcvp<G>(folder: string): AcvpFile<G> {
  const gz = readFileSync(join(VECTORS, folder, 'internalProjection.json.gz'));
  return JSON.parse(gunzipSync(gz).toString('utf8')) as AcvpFile<G>;
}

// ---- SHA-3 / SHAKE -------------------------------------------------------------

export interface ShaCase {
  tcId: number;
  msg?: string;
  len: number; // bits
  md?: string;
  outLen?: number; // bits
  resultsArray?: { md: string; outLen?: number }[];
  largeMsg?: { content: string; contentLength: number; fullLength: number; expansionTechnique: string };
}

export interface ShaGroup {
  tgId: number;
  testType: 'AFT' | 'MCT' | 'LDT' | 'VOT';
  mctVersion?: string;
  minOutLen?: number;
  maxOutLen?: number;
  inBit?: boolean;
  outBit?: boolean;
  tests: ShaCase[];
}

// ---- ML-KEM ----------------------------------------------------------------------

export type MlKemParameterSet = 'ML-KEM-512' | 'ML-KEM-768' | 'ML-KEM-1024';

export interface KeyGenCase {
  tcId: number;
  deferred: boolean;
  d: string;
  z: string;
  ek: string;
  dk: string;
}

export interface KeyGenGroup {
  tgId: number;
  testType: string;
  parameterSet: MlKemParameterSet;
  tests: KeyGenCase[];
}

export interface EncapDecapCase {
  tcId: number;
  deferred: boolean;
  ek?: string;
  dk?: string;
  c?: string;
  k?: string;
  m?: string;
  testPassed?: boolean;
  reason?: string;
}

export interface EncapDecapGroup {
  tgId: number;
  testType: string;
  parameterSet: MlKemParameterSet;
  function: 'encapsulation' | 'decapsulation' | 'encapsulationKeyCheck' | 'decapsulationKeyCheck';
  tests: EncapDecapCase[];
}
