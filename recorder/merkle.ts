// RFC 6962 section 2.1 (RFC 9162 section 2.1) Merkle trees over SHA-256:
// leaf = SHA-256(0x00 || data), node = SHA-256(0x01 || left || right); the
// tree of n leaves splits at k, the largest power of two below n. Proof
// generation follows the recursive definitions (PATH, PROOF/SUBPROOF); proof
// verification is RFC 9162's iterative algorithms (2.1.3.2, 2.1.4.2). Pure:
// no I/O.
import { platform } from '#platform';
import { equalBytes } from '../host/codec.js';

export type Hash = Uint8Array;

export function leafHash(data: Uint8Array): Hash {
  const b = new Uint8Array(1 + data.length);
  b[0] = 0;
  b.set(data, 1);
  return platform.sha256(b);
}

export function nodeHash(left: Hash, right: Hash): Hash {
  const b = new Uint8Array(1 + left.length + right.length);
  b[0] = 1;
  b.set(left, 1);
  b.set(right, 1 + left.length);
  return platform.sha256(b);
}

/** SHA-256 of the empty string: the root of the empty tree. */
export const EMPTY_ROOT: Hash = platform.sha256(new Uint8Array(0));

/** Largest power of two strictly below n (n >= 2). */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH(D[lo:hi]) over leaf hashes. */
export function subtreeRoot(leaves: readonly Hash[], lo: number, hi: number): Hash {
  if (hi - lo === 0) return EMPTY_ROOT;
  if (hi - lo === 1) return leaves[lo]!;
  const k = split(hi - lo);
  return nodeHash(subtreeRoot(leaves, lo, lo + k), subtreeRoot(leaves, lo + k, hi));
}

/** PATH(m, D[0:n]): the inclusion proof of leaf m in the tree of the first n leaves. */
export function inclusionProof(leaves: readonly Hash[], m: number, n: number): Hash[] {
  if (!(Number.isSafeInteger(m) && Number.isSafeInteger(n) && m >= 0 && m < n && n <= leaves.length)) {
    throw new RangeError(`inclusion proof: index ${m} is not in a tree of ${n} leaves (log has ${leaves.length})`);
  }
  const path: Hash[] = [];
  const walk = (lo: number, hi: number, i: number): void => {
    if (hi - lo <= 1) return;
    const k = split(hi - lo);
    if (i < k) { walk(lo, lo + k, i); path.push(subtreeRoot(leaves, lo + k, hi)); }
    else { walk(lo + k, hi, i - k); path.push(subtreeRoot(leaves, lo, lo + k)); }
  };
  walk(0, n, m);
  return path;
}

/** PROOF(m, D[0:n]): the consistency proof between the trees of the first m and n leaves. */
export function consistencyProof(leaves: readonly Hash[], m: number, n: number): Hash[] {
  if (!(Number.isSafeInteger(m) && Number.isSafeInteger(n) && m >= 1 && m <= n && n <= leaves.length)) {
    throw new RangeError(`consistency proof: sizes ${m} -> ${n} are not 1 <= old <= new <= ${leaves.length}`);
  }
  const proof: Hash[] = [];
  const sub = (lo: number, hi: number, mm: number, whole: boolean): void => {
    const size = hi - lo;
    if (mm === size) { if (!whole) proof.push(subtreeRoot(leaves, lo, hi)); return; }
    const k = split(size);
    if (mm <= k) { sub(lo, lo + k, mm, whole); proof.push(subtreeRoot(leaves, lo + k, hi)); }
    else { sub(lo + k, hi, mm - k, false); proof.push(subtreeRoot(leaves, lo, lo + k)); }
  };
  sub(0, n, m, true);
  return proof;
}

function equal(a: Hash, b: Hash): boolean {
  return equalBytes(a, b);
}

/** RFC 9162 2.1.3.2: the root an inclusion proof leads to, or undefined when the proof is malformed. */
export function rootFromInclusion(index: number, size: number, leaf: Hash, proof: readonly Hash[]): Hash | undefined {
  if (!(Number.isSafeInteger(index) && Number.isSafeInteger(size) && index >= 0 && index < size)) return undefined;
  if (proof.some((h) => h.length !== 32)) return undefined;
  let fn = index, sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return undefined;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : undefined;
}

export function verifyInclusion(index: number, size: number, leaf: Hash, proof: readonly Hash[], root: Hash): boolean {
  const r = rootFromInclusion(index, size, leaf, proof);
  return r !== undefined && equal(r, root);
}

/** RFC 9162 2.1.4.2: does `proof` show the tree of size m (oldRoot) is a prefix of the tree of size n (newRoot)? */
export function verifyConsistency(m: number, n: number, proof: readonly Hash[], oldRoot: Hash, newRoot: Hash): boolean {
  if (!(Number.isSafeInteger(m) && Number.isSafeInteger(n) && m >= 1 && m <= n)) return false;
  if (proof.some((h) => h.length !== 32)) return false;
  if (m === n) return proof.length === 0 && equal(oldRoot, newRoot);
  if (proof.length === 0) return false;
  // If m is an exact power of two, oldRoot is the first node of the path.
  const path = 2 ** Math.round(Math.log2(m)) === m ? [oldRoot, ...proof] : [...proof]; // (no 32-bit bit tricks: sizes may pass 2^32)
  let fn = m - 1, sn = n - 1;
  while (fn % 2 === 1) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
  let fr = path[0]!, sr = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (fn % 2 === 0) while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && equal(fr, oldRoot) && equal(sr, newRoot);
}

/** An append-only tree: leaf hashes kept for proofs, the root maintained incrementally. */
export class MerkleTree {
  readonly leaves: Hash[] = [];
  /** Roots of the perfect subtrees of the compact range [0, size), largest first. */
  private readonly stack: { size: number; hash: Hash }[] = [];

  get size(): number {
    return this.leaves.length;
  }

  append(leaf: Hash): void {
    this.leaves.push(leaf);
    let node = { size: 1, hash: leaf };
    while (this.stack.length > 0 && this.stack[this.stack.length - 1]!.size === node.size) {
      const left = this.stack.pop()!;
      node = { size: left.size * 2, hash: nodeHash(left.hash, node.hash) };
    }
    this.stack.push(node);
  }

  /** MTH of the whole tree: the perfect subtrees folded right to left. */
  root(): Hash {
    if (this.stack.length === 0) return EMPTY_ROOT;
    let r = this.stack[this.stack.length - 1]!.hash;
    for (let i = this.stack.length - 2; i >= 0; i--) r = nodeHash(this.stack[i]!.hash, r);
    return r;
  }
}

/**
 * The compact range of an append-only tree: only the roots of its perfect
 * subtrees (at most 64), so memory does not grow with the tree. The
 * verifier's streaming tree; roots are folded only when asked (at
 * checkpoints), and node hashes reuse one scratch buffer.
 */
export class CompactTree {
  private readonly roots: Hash[] = [];
  private readonly sizes: number[] = [];
  private readonly scratch = new Uint8Array(65);
  size = 0;

  append(leaf: Hash): void {
    let h = leaf;
    let s = 1;
    while (this.sizes.length > 0 && this.sizes[this.sizes.length - 1] === s) {
      this.sizes.pop();
      h = this.node(this.roots.pop()!, h);
      s *= 2;
    }
    this.roots.push(h);
    this.sizes.push(s);
    this.size++;
  }

  root(): Hash {
    if (this.roots.length === 0) return EMPTY_ROOT;
    let r = this.roots[this.roots.length - 1]!;
    for (let i = this.roots.length - 2; i >= 0; i--) r = this.node(this.roots[i]!, r);
    return r;
  }

  private node(left: Hash, right: Hash): Hash {
    const b = this.scratch;
    b[0] = 1;
    b.set(left, 1);
    b.set(right, 33);
    return platform.sha256(b);
  }
}
