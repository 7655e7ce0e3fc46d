// Golden outputs (docs/platforms.md): every kernel, from fixed inputs, under
// both MMU modes, must give the bytes committed in tests/golden/outputs.json,
// and the WAVEN build the same bytes as the plain one. The computation is
// scripts/golden-lib.mjs, the one scripts/golden.mjs runs on other Node lines
// and on arm64 (scripts/platforms.sh); it runs the built package (dist/), each
// mode in a worker thread of this process. The committed outputs are also
// checked against the reference implementations (@noble/post-quantum,
// @noble/hashes, node:crypto AES-GCM) fed the same inputs, so the file pins
// correct bytes, not merely the bytes of the day it was written.
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ml_kem512, ml_kem768, ml_kem1024 } from '@noble/post-quantum/ml-kem.js';
import { ml_dsa44, ml_dsa65, ml_dsa87 } from '@noble/post-quantum/ml-dsa.js';
import { sha3_224, sha3_256, sha3_384, sha3_512, shake128, shake256 } from '@noble/hashes/sha3.js';
// @ts-expect-error: plain ESM without declarations (it must run on any Node, without TypeScript)
import { compareGolden, computeEntries, computeGolden, crossModeDifferences, MODES } from '../scripts/golden-lib.mjs';

const GOLDEN = new URL('./golden/outputs.json', import.meta.url);
const golden = JSON.parse(readFileSync(GOLDEN, 'utf8')) as Record<string, string>;

class RefError extends Error {
  constructor(readonly code: string) {
    super(code);
  }
}

/** AES-GCM of node:crypto in the shape golden-lib.mjs calls (awre's gcm). */
function refGcm(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, opts: { tagLength: number }) {
  const alg = `aes-${key.length * 8}-gcm` as 'aes-256-gcm';
  const authTagLength = opts.tagLength;
  return {
    encrypt(pt: Uint8Array): Uint8Array {
      const c = createCipheriv(alg, key, nonce, { authTagLength }).setAAD(aad);
      return new Uint8Array(Buffer.concat([c.update(pt), c.final(), c.getAuthTag()]));
    },
    decrypt(sealed: Uint8Array): Uint8Array {
      const n = sealed.length - authTagLength;
      const d = createDecipheriv(alg, key, nonce, { authTagLength }).setAAD(aad);
      d.setAuthTag(sealed.subarray(n));
      try {
        return new Uint8Array(Buffer.concat([d.update(sealed.subarray(0, n)), d.final()]));
      } catch {
        throw new RefError('AUTH_FAILED');
      }
    },
  };
}

const reference = {
  ml_kem512, ml_kem768, ml_kem1024, ml_dsa44, ml_dsa65, ml_dsa87,
  sha3_224, sha3_256, sha3_384, sha3_512, shake128, shake256,
  gcm: refGcm,
  AwreError: RefError,
  defaultEnclave: () => ({ mmu: 'reference', digest: '' }),
};

describe('golden outputs', () => {
  it('both MMU modes give the committed outputs, WAVEN the same bytes as plain, and every invariant holds', async () => {
    const { outputs, problems } = await computeGolden();
    expect(problems).toEqual([]);
    expect(compareGolden(golden, outputs)).toEqual([]);
  });

  it('the committed outputs are the reference implementations\' outputs for the same inputs', () => {
    const { entries, problems } = computeEntries(reference) as { entries: Record<string, string>; problems: string[] };
    expect(problems).toEqual([]);
    const names = Object.keys(entries);
    for (const mode of MODES as string[]) {
      expect(Object.keys(golden).filter((k) => k.startsWith(`${mode}/`)).sort()).toEqual(names.map((n) => `${mode}/${n}`).sort());
      const wrong = names.filter((n) => golden[`${mode}/${n}`] !== entries[n]);
      expect(wrong, `${mode}: entries that differ from the reference`).toEqual([]);
    }
  });

  it('the comparisons name every difference', () => {
    const a = { 'off/x': '11', 'off/y': '22', 'waven/x': '11', 'waven/y': '23', 'off/z': '33' };
    expect(crossModeDifferences(a)).toEqual(['y: mode waven gives 23, mode off gives 22', 'z: only in mode off']);
    expect(compareGolden({ p: '1', q: '2' }, { q: '3', r: '4' })).toEqual([
      'p: in the golden file (1) but not computed', 'q: got 3, golden 2', 'r: computed (4) but not in the golden file',
    ]);
    expect(compareGolden(golden, { ...golden })).toEqual([]);
  });
});
