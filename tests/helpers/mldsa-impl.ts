// The ML-DSA implementation under test, chosen by AWRE_DSA_IMPL:
//   (unset) or "awre" -> awre's host API (../../host/index.js)
//   "noble"           -> @noble/post-quantum/ml-dsa.js itself
// Running the ML-DSA test files with AWRE_DSA_IMPL=noble checks the test logic
// (vector mapping, differential harness, crafted malformed signatures) against
// the reference: noble must pass every ACVP, differential and negative test,
// except where a test states an awre-only convention (those are relaxed for
// noble and say so).
import * as noble from '@noble/post-quantum/ml-dsa.js';

/** The noble 0.7 ML-DSA surface (awre's host API has the same shape). */
export type DSA = typeof noble.ml_dsa44;

export interface Impl {
  /** "awre" or "noble". */
  name: 'awre' | 'noble';
  ml_dsa44: DSA;
  ml_dsa65: DSA;
  ml_dsa87: DSA;
  /** awre's AwreError class (undefined for noble). */
  AwreError: (new (...a: any[]) => Error & { code: string }) | undefined;
  /** The enclave's linear memory, to check results are copies (undefined for noble). */
  enclaveMemory: (() => ArrayBuffer) | undefined;
}

const which = (process.env.AWRE_DSA_IMPL ?? 'awre').trim().toLowerCase();
if (which !== 'awre' && which !== 'noble') {
  throw new Error(`AWRE_DSA_IMPL must be "awre" or "noble", got ${JSON.stringify(process.env.AWRE_DSA_IMPL)}`);
}

async function load(): Promise<Impl> {
  if (which === 'noble') {
    return { name: 'noble', ml_dsa44: noble.ml_dsa44, ml_dsa65: noble.ml_dsa65, ml_dsa87: noble.ml_dsa87, AwreError: undefined, enclaveMemory: undefined };
  }
  const host = (await import('../../host/index.js')) as Record<string, any>;
  for (const k of ['ml_dsa44', 'ml_dsa65', 'ml_dsa87']) {
    if (host[k] === undefined) throw new Error(`host/index.ts does not export ${k} (is awre's ML-DSA in place?); set AWRE_DSA_IMPL=noble to check the tests against noble`);
  }
  return {
    name: 'awre',
    ml_dsa44: host.ml_dsa44 as DSA,
    ml_dsa65: host.ml_dsa65 as DSA,
    ml_dsa87: host.ml_dsa87 as DSA,
    AwreError: host.AwreError,
    enclaveMemory: typeof host.defaultEnclave === 'function' ? () => host.defaultEnclave().exports.memory.buffer : undefined,
  };
}

export const IMPL: Impl = await load();
export const IS_NOBLE = IMPL.name === 'noble';
export { noble };

export type SetName = 'ML-DSA-44' | 'ML-DSA-65' | 'ML-DSA-87';

/** The three parameter sets: implementation under test and reference side by side. */
export const DSA_SETS: { name: SetName; impl: DSA; noble: DSA }[] = [
  { name: 'ML-DSA-44', impl: IMPL.ml_dsa44, noble: noble.ml_dsa44 },
  { name: 'ML-DSA-65', impl: IMPL.ml_dsa65, noble: noble.ml_dsa65 },
  { name: 'ML-DSA-87', impl: IMPL.ml_dsa87, noble: noble.ml_dsa87 },
];

export function implFor(set: string): DSA {
  const s = DSA_SETS.find((x) => x.name === set);
  if (!s) throw new Error(`unknown parameter set ${set}`);
  return s.impl;
}
