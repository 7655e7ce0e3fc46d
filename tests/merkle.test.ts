// recorder/merkle.ts against RFC 6962: the reference tree of the Certificate
// Transparency test data (roots of sizes 1..8 and proofs frozen here), then
// every tree of 1 to 64 leaves, every index and every size pair, against a
// plain transcription of RFC 6962's PATH and PROOF written in this file; and
// malformed proofs (a flipped bit, a hash short or extra, a wrong index, an
// index outside the tree) rejected by the RFC 9162 verifiers.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import * as M from '../recorder/merkle.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const H = (...parts: Uint8Array[]) => { const h = createHash('sha256'); for (const p of parts) h.update(p); return new Uint8Array(h.digest()); };

// RFC 6962 section 2.1, transcribed on the data (not on leaf hashes).
const k = (n: number) => 2 ** Math.ceil(Math.log2(n) - 1);
function mth(d: Uint8Array[]): Uint8Array {
  if (d.length === 0) return H();
  if (d.length === 1) return H(Uint8Array.of(0), d[0]!);
  const s = k(d.length);
  return H(Uint8Array.of(1), mth(d.slice(0, s)), mth(d.slice(s)));
}
function path(m: number, d: Uint8Array[]): Uint8Array[] {
  if (d.length === 1) return [];
  const s = k(d.length);
  return m < s ? [...path(m, d.slice(0, s)), mth(d.slice(s))] : [...path(m - s, d.slice(s)), mth(d.slice(0, s))];
}
function subproof(m: number, d: Uint8Array[], b: boolean): Uint8Array[] {
  const n = d.length;
  if (m === n) return b ? [] : [mth(d)];
  const s = k(n);
  return m <= s ? [...subproof(m, d.slice(0, s), b), mth(d.slice(s))] : [...subproof(m - s, d.slice(s), false), mth(d.slice(0, s))];
}

const CT_LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map((h) => Buffer.from(h, 'hex'));
const CT_ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d', 'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77', 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4', '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c', '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];

describe('the RFC 6962 reference tree (CT test data)', () => {
  it('roots of sizes 0..8, incrementally and recursively', () => {
    expect(hex(M.EMPTY_ROOT)).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    const t = new M.MerkleTree();
    const leaves = CT_LEAVES.map((d) => M.leafHash(d));
    leaves.forEach((l, i) => {
      t.append(l);
      expect(hex(t.root())).toBe(CT_ROOTS[i]);
      expect(hex(M.subtreeRoot(leaves, 0, i + 1))).toBe(CT_ROOTS[i]);
    });
  });

  it('frozen proofs: leaf 0 in the tree of 8, and consistency 1 -> 8', () => {
    const leaves = CT_LEAVES.map((d) => M.leafHash(d));
    const want = ['96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7', '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4'];
    expect(M.inclusionProof(leaves, 0, 8).map(hex)).toEqual(want);
    expect(M.consistencyProof(leaves, 1, 8).map(hex)).toEqual(want);
  });
});

describe('trees of 1 to 64 leaves against the transcription', () => {
  const data = Array.from({ length: 64 }, (_, i) => Uint8Array.from({ length: 1 + (i % 7) }, (_, j) => (j === 0 ? i : (i * 31 + j) & 0xff)));
  const leaves = data.map((d) => M.leafHash(d));
  const roots = Array.from({ length: 65 }, (_, n) => mth(data.slice(0, n)));
  const flip = (p: Uint8Array[], i: number) => p.map((h, j) => (j === i ? Uint8Array.from(h, (b, x) => (x === 5 ? b ^ 4 : b)) : h));

  it('every root, every inclusion proof (every index), and malformed ones rejected', () => {
    const t = new M.MerkleTree();
    for (let n = 1; n <= 64; n++) {
      t.append(leaves[n - 1]!);
      expect(hex(t.root()), `root ${n}`).toBe(hex(roots[n]!));
      for (let m = 0; m < n; m++) {
        const p = M.inclusionProof(leaves, m, n);
        expect(p.map(hex), `PATH(${m}, ${n})`).toEqual(path(m, data.slice(0, n)).map(hex));
        expect(M.verifyInclusion(m, n, leaves[m]!, p, roots[n]!)).toBe(true);
        for (let i = 0; i < p.length; i++) expect(M.verifyInclusion(m, n, leaves[m]!, flip(p, i), roots[n]!), `flip ${i}`).toBe(false);
        if (p.length > 0) expect(M.verifyInclusion(m, n, leaves[m]!, p.slice(0, -1), roots[n]!)).toBe(false);
        expect(M.verifyInclusion(m, n, leaves[m]!, [...p, roots[n]!], roots[n]!)).toBe(false);
        if (n > 1) expect(M.verifyInclusion((m + 1) % n, n, leaves[m]!, p, roots[n]!)).toBe(false);
        // (A proof checked against another tree size may still pass: the size only shapes the
        // right edge. The signed checkpoint binds size and root together; see docs/abw34.md.)
        expect(M.verifyInclusion(m, n, leaves[(m + 1) % 64]!, p, roots[n]!)).toBe(false);
      }
      expect(M.verifyInclusion(n, n, leaves[0]!, [], roots[n]!)).toBe(false);
      expect(M.verifyInclusion(-1, n, leaves[0]!, [], roots[n]!)).toBe(false);
    }
  });

  it('every consistency proof (every 1 <= m <= n <= 64), and malformed ones rejected', () => {
    for (let n = 1; n <= 64; n++) {
      for (let m = 1; m <= n; m++) {
        const p = M.consistencyProof(leaves, m, n);
        expect(p.map(hex), `PROOF(${m}, ${n})`).toEqual(subproof(m, data.slice(0, n), true).map(hex));
        expect(M.verifyConsistency(m, n, p, roots[m]!, roots[n]!), `${m} -> ${n}`).toBe(true);
        for (let i = 0; i < p.length; i++) expect(M.verifyConsistency(m, n, flip(p, i), roots[m]!, roots[n]!)).toBe(false);
        if (p.length > 0) expect(M.verifyConsistency(m, n, p.slice(0, -1), roots[m]!, roots[n]!)).toBe(false);
        expect(M.verifyConsistency(m, n, [...p, roots[n]!], roots[m]!, roots[n]!)).toBe(false);
        if (m < n) {
          expect(M.verifyConsistency(m, n, p, roots[m + 1]!, roots[n]!)).toBe(false);
          expect(M.verifyConsistency(m, n, p, roots[m]!, roots[n - 1]!)).toBe(false);
        }
      }
      expect(M.verifyConsistency(0, n, [], M.EMPTY_ROOT, roots[n]!)).toBe(false);
      expect(M.verifyConsistency(n + 1, n, [], roots[n]!, roots[n]!)).toBe(false);
    }
  });

  it('proof requests outside the tree are RangeErrors', () => {
    expect(() => M.inclusionProof(leaves, 5, 5)).toThrow(RangeError);
    expect(() => M.inclusionProof(leaves, 0, 65)).toThrow(RangeError);
    expect(() => M.consistencyProof(leaves, 0, 5)).toThrow(RangeError);
    expect(() => M.consistencyProof(leaves, 6, 5)).toThrow(RangeError);
  });
});
