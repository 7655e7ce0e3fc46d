// FIPS 204 section 6: ML-DSA.KeyGen_internal (Algorithm 6), Sign_internal
// (Algorithm 7) and Verify_internal (Algorithm 8), with mu = H(tr || M')
// supplied by the caller (the host streams M' through the enclave's SHAKE256),
// so that the external, pre-hash and external-mu interfaces share one core.
// Each returns a status or a verdict; index.ts wipes scratch at its exit.
import { keccakAbsorb, keccakFinish, keccakHash, keccakInit, keccakSqueeze, DS_SHAKE } from '../keccak';
import { SHAKE256_RATE } from '../../abi/lengths';
import { OK, ERR_SK_MALFORMED, ERR_SIGN_LOOP } from '../../abi/status';
import { Params, gamma1, etaBits, zBits, w1Bits, pkBytes } from './params';
import { ntt, invntt, pointwiseAcc } from './ntt';
import {
  polyAdd, polySub, polyReduce, polyFreeze, polyShiftL, polyChkNorm, polyPower2Round, polyUseHint,
  polyHighBits, polyAddReduceChk, polyLowBitsChk, polyReduceChk, polyMakeHintSum,
} from './poly';
import { packPoly, unpackPoly, unpackGamma1, packHints, unpackHints } from './packing';
import { rejNTT, rejNTTx2, rejEtaX2, rejEta1, expandMaskX2, expandMask1, sampleInBall } from './sampling';
import {
  ST, ST2, SEED, SEED2, XBUF, XBUF_STRIDE, HBUF, TR, RHOPP, MU, CTILDE, HIN, W1PACK,
  PV_S1, PV_S2, PV_T0, PV_Y, PV_Z, PV_W, PV_W1, PV_H, P_C, P_T0, P_T1, P_T2, PV_A, A_TAG, A_ENTRIES, A_ENTRY_BYTES, A_ROW_POLYS,
} from './scratch';

/** FIPS 204 Appendix C: signing gives up after this many rejections. */
const MAX_SIGN_ITERATIONS = 1000;

// @ts-ignore: decorator
@inline function poly(base: usize, i: i32): usize { return base + (<usize>i << 10); }
/** A-hat's entry (r, s) in the current cache entry (rows A_ROW_POLYS apart: scratch.ts). */
@inline function aPoly(r: i32, s: i32): usize { return poly(A, r * A_ROW_POLYS + s); }

/** SHAKE256 of `len` bytes into `outLen` bytes (H in FIPS 204 section 3.7). */
function shake256(dst: usize, outLen: usize, src: usize, len: usize): void {
  keccakHash(ST, SHAKE256_RATE, DS_SHAKE, src, len, dst, outLen);
}

/** The A-hat entry the current operation uses (set by expandA). */
let A: usize = PV_A;
/** The cache entry expandA replaces next: the one used least recently. */
let aVictim: i32 = 0;

/**
 * ExpandA (Algorithm 32): A[r][s] = RejNTTPoly(rho || s || r), into an A-hat
 * cache entry by rows (entry (r, s) at aPoly(r, s)), two at a time.
 * Skipped when an entry already holds A-hat for this parameter set and rho
 * (its tag): rho is public, so the comparison may exit early. A miss fills
 * the least recently used of the A_ENTRIES entries.
 */
function expandA(rho: usize, p: Params): void {
  const tag = (p.k << 8) | p.l;
  for (let i = 0; i < A_ENTRIES; i++) {
    const t = A_TAG + <usize>i * 48;
    if (load<i32>(t) == tag && memory.compare(t + 4, rho, 32) == 0) {
      A = PV_A + <usize>i * A_ENTRY_BYTES;
      aVictim = (i + 1) % A_ENTRIES;
      return;
    }
  }
  const i = aVictim;
  aVictim = (i + 1) % A_ENTRIES;
  const t = A_TAG + <usize>i * 48;
  A = PV_A + <usize>i * A_ENTRY_BYTES;
  store<i32>(t, 0);
  memory.copy(SEED, rho, 32);
  memory.copy(SEED2, rho, 32);
  const n = p.k * p.l;
  let e = 0;
  for (; e + 1 < n; e += 2) {
    store<u8>(SEED, <u8>(e % p.l), 32);
    store<u8>(SEED, <u8>(e / p.l), 33);
    store<u8>(SEED2, <u8>((e + 1) % p.l), 32);
    store<u8>(SEED2, <u8>((e + 1) / p.l), 33);
    rejNTTx2(aPoly(e / p.l, e % p.l), aPoly((e + 1) / p.l, (e + 1) % p.l), ST2, XBUF, SEED, SEED2);
  }
  if (e < n) {
    store<u8>(SEED, <u8>(e % p.l), 32);
    store<u8>(SEED, <u8>(e / p.l), 33);
    rejNTT(aPoly(e / p.l, e % p.l), ST, SEED);
  }
  memory.copy(t + 4, rho, 32);
  store<i32>(t, tag);
}

/** The polynomial that ExpandS nonce n fills: s1[n] for n < l, else s2[n - l]. */
// @ts-ignore: decorator
@inline function sPoly(n: i32, p: Params): usize {
  return n < p.l ? poly(PV_S1, n) : poly(PV_S2, n - p.l);
}

/** ExpandS (Algorithm 33): s1 (l polys) and s2 (k polys) from rho'. */
function expandS(rhoP: usize, p: Params): void {
  const n = p.l + p.k;
  let i = 0;
  for (; i + 1 < n; i += 2) rejEtaX2(sPoly(i, p), sPoly(i + 1, p), ST2, XBUF, SEED, rhoP, i, i + 1, p.eta);
  if (i < n) rejEta1(sPoly(i, p), ST, SEED, rhoP, i, p.eta);
}

/**
 * t = NTT^-1(A-hat o NTT(s1)) + s2, canonical, into PV_W; PV_S1 holds s1-hat
 * afterwards. The core of key generation and of pk-from-sk.
 */
function computeT(p: Params): void {
  for (let j = 0; j < p.l; j++) ntt(poly(PV_S1, j));
  for (let i = 0; i < p.k; i++) {
    const t = poly(PV_W, i);
    pointwiseAcc(t, aPoly(i, 0), PV_S1, p.l);
    invntt(t);
    polyAdd(t, t, poly(PV_S2, i));
    polyFreeze(t);
  }
}

/** pkEncode (Algorithm 22) of rho and t1 = Power2Round(t).1 (t in PV_W); t0 into PV_T0. */
function encodePk(pk: usize, rho: usize, p: Params): void {
  memory.copy(pk, rho, 32);
  for (let i = 0; i < p.k; i++) {
    polyPower2Round(P_T0, poly(PV_T0, i), poly(PV_W, i));
    packPoly(pk + 32 + <usize>(320 * i), P_T0, 10, 0, false);
  }
}

/**
 * ML-DSA.KeyGen_internal (Algorithm 6) from the 32-byte xi: writes pk and sk.
 */
export function keyGenInternal(pk: usize, sk: usize, xi: usize, p: Params): i32 {
  // (rho, rho', K) = H(xi || k || l, 128)
  memory.copy(HIN, xi, 32);
  store<u8>(HIN, <u8>p.k, 32);
  store<u8>(HIN, <u8>p.l, 33);
  shake256(HBUF, 128, HIN, 34);
  const rho = HBUF;
  const rhoP = HBUF + 32;
  const key = HBUF + 96;
  expandA(rho, p);
  expandS(rhoP, p);
  // skEncode (Algorithm 24): rho || K || tr || s1 || s2 || t0; s1, s2 packed before the NTT.
  const eb = etaBits(p);
  const polyEta = <usize>(32 * eb);
  const s1At = sk + 128;
  const s2At = s1At + <usize>p.l * polyEta;
  const t0At = s2At + <usize>p.k * polyEta;
  for (let j = 0; j < p.l; j++) packPoly(s1At + <usize>j * polyEta, poly(PV_S1, j), eb, p.eta, true);
  for (let i = 0; i < p.k; i++) packPoly(s2At + <usize>i * polyEta, poly(PV_S2, i), eb, p.eta, true);
  computeT(p);
  encodePk(pk, rho, p);
  for (let i = 0; i < p.k; i++) packPoly(t0At + <usize>(416 * i), poly(PV_T0, i), 13, 1 << 12, true);
  memory.copy(sk, rho, 32);
  memory.copy(sk + 32, key, 32);
  shake256(sk + 64, 64, pk, <usize>pkBytes(p)); // tr = H(pk, 64)
  return OK;
}

/**
 * skDecode (Algorithm 25) of s1, s2 into PV_S1, PV_S2 (and t0 into PV_T0 when
 * withT0). Returns ERR_SK_MALFORMED when a coefficient of s1 or s2 lies
 * outside [-eta, eta] (possible only for keys not made by KeyGen). The range
 * check runs over every coefficient before the result is looked at.
 */
function decodeSk(sk: usize, p: Params, withT0: bool): i32 {
  const eb = etaBits(p);
  const polyEta = <usize>(32 * eb);
  const s1At = sk + 128;
  const s2At = s1At + <usize>p.l * polyEta;
  const t0At = s2At + <usize>p.k * polyEta;
  let bad = 0;
  for (let j = 0; j < p.l; j++) {
    unpackPoly(poly(PV_S1, j), s1At + <usize>j * polyEta, eb, p.eta, true);
    bad |= polyChkNorm(poly(PV_S1, j), p.eta + 1);
  }
  for (let i = 0; i < p.k; i++) {
    unpackPoly(poly(PV_S2, i), s2At + <usize>i * polyEta, eb, p.eta, true);
    bad |= polyChkNorm(poly(PV_S2, i), p.eta + 1);
  }
  if (withT0) {
    for (let i = 0; i < p.k; i++) unpackPoly(poly(PV_T0, i), t0At + <usize>(416 * i), 13, 1 << 12, true);
  }
  return bad ? ERR_SK_MALFORMED : OK;
}

/** pk from sk, as noble's getPublicKey: t1 recomputed from rho, s1, s2. */
export function pkFromSk(pk: usize, sk: usize, p: Params): i32 {
  const st = decodeSk(sk, p, false);
  if (st != OK) return st;
  expandA(sk, p);
  computeT(p);
  encodePk(pk, sk, p);
  return OK;
}

/** c-tilde = H(mu || w1Encode(w1), lambda / 4) (Algorithm 7 line 15, Algorithm 8 line 12). */
function challengeHash(ct: usize, mu: usize, w1: usize, p: Params): void {
  const bits = w1Bits(p);
  const per = <usize>(32 * bits);
  for (let i = 0; i < p.k; i++) packPoly(W1PACK + <usize>i * per, poly(w1, i), bits, 0, false);
  keccakInit(ST);
  let pos = keccakAbsorb(ST, SHAKE256_RATE, 0, mu, 64);
  pos = keccakAbsorb(ST, SHAKE256_RATE, pos, W1PACK, <usize>p.k * per);
  keccakFinish(ST, SHAKE256_RATE, pos, DS_SHAKE);
  keccakSqueeze(ST, SHAKE256_RATE, 0, ct, <usize>p.ctildeBytes);
}

/** r = NTT^-1(c-hat o a) for one polynomial a (NTT form), in [-q/4, 5q/4]. */
// @ts-ignore: decorator
@inline function mulC(r: usize, a: usize): void {
  pointwiseAcc(r, P_C, a, 1);
  invntt(r);
}

/** y = ExpandMask(rho'', kappa) (Algorithm 34), l polynomials into PV_Y. */
function expandMask(kappa: i32, p: Params): void {
  const bits = zBits(p);
  let r = 0;
  for (; r + 1 < p.l; r += 2) expandMaskX2(poly(PV_Y, r), poly(PV_Y, r + 1), ST2, XBUF, XBUF_STRIDE, SEED, RHOPP, kappa + r, kappa + r + 1, bits);
  if (r < p.l) expandMask1(poly(PV_Y, r), ST, XBUF, SEED, RHOPP, kappa + r, bits);
}

/**
 * One attempt of the rejection loop (Algorithm 7 lines 11-31) for counter
 * kappa. Every attempt does all of its work, whichever check fails, so its
 * time does not depend on why it is rejected; returns true to accept, with
 * c-tilde in CTILDE, z in PV_Z and the hints in PV_H.
 */
function attempt(kappa: i32, p: Params): bool {
  const l = p.l;
  const k = p.k;
  expandMask(kappa, p);
  // w = NTT^-1(A-hat o NTT(y)), w1 = HighBits(w)
  for (let j = 0; j < l; j++) {
    memory.copy(poly(PV_Z, j), poly(PV_Y, j), 1024);
    ntt(poly(PV_Z, j));
  }
  for (let i = 0; i < k; i++) {
    const w = poly(PV_W, i);
    pointwiseAcc(w, aPoly(i, 0), PV_Z, l);
    invntt(w);
    polyHighBits(poly(PV_W1, i), w, p.gamma2);
  }
  challengeHash(CTILDE, MU, PV_W1, p);
  sampleInBall(P_C, ST, CTILDE, <usize>p.ctildeBytes, p.tau);
  ntt(P_C);
  let reject = 0;
  // z = y + <<c s1>>, ||z|| < gamma1 - beta
  for (let j = 0; j < l; j++) {
    const z = poly(PV_Z, j);
    mulC(z, poly(PV_S1, j));
    reject |= polyAddReduceChk(z, z, poly(PV_Y, j), gamma1(p) - p.beta);
  }
  let hints = 0;
  for (let i = 0; i < k; i++) {
    // r0 = LowBits(w - <<c s2>>), ||r0|| < gamma2 - beta
    mulC(P_T0, poly(PV_S2, i));
    reject |= polyLowBitsChk(P_T1, poly(PV_W, i), P_T0, p.gamma2, p.gamma2 - p.beta);
    // <<c t0>>, ||c t0|| < gamma2; h = MakeHint(-<<c t0>>, w - <<c s2>> + <<c t0>>)
    mulC(P_T2, poly(PV_T0, i));
    reject |= polyReduceChk(P_T2, p.gamma2);
    hints += polyMakeHintSum(poly(PV_H, i), P_T1, P_T2, poly(PV_W1, i), p.gamma2);
  }
  reject |= <i32>(hints > p.omega);
  return reject == 0;
}

/**
 * ML-DSA.Sign_internal (Algorithm 7) given mu: sk (skEncode), the 64-byte mu
 * and the 32-byte rnd (zeros for deterministic signing). Writes the
 * signature. ERR_SK_MALFORMED for an out-of-range key, ERR_SIGN_LOOP if
 * MAX_SIGN_ITERATIONS attempts are all rejected.
 */
export function signInternal(sig: usize, sk: usize, mu: usize, rnd: usize, p: Params): i32 {
  const st = decodeSk(sk, p, true);
  if (st != OK) return st;
  expandA(sk, p);
  for (let j = 0; j < p.l; j++) ntt(poly(PV_S1, j));
  for (let i = 0; i < p.k; i++) {
    ntt(poly(PV_S2, i));
    ntt(poly(PV_T0, i));
  }
  memory.copy(MU, mu, 64);
  // rho'' = H(K || rnd || mu, 64)
  memory.copy(HIN, sk + 32, 32);
  memory.copy(HIN + 32, rnd, 32);
  memory.copy(HIN + 64, mu, 64);
  shake256(RHOPP, 64, HIN, 128);
  for (let n = 0; n < MAX_SIGN_ITERATIONS; n++) {
    if (!attempt(n * p.l, p)) continue; // the loop count is public
    // sigEncode (Algorithm 26): c-tilde || BitPack(z, gamma1 - 1, gamma1) || HintBitPack(h)
    const zb = zBits(p);
    memory.copy(sig, CTILDE, <usize>p.ctildeBytes);
    let at = sig + <usize>p.ctildeBytes;
    for (let j = 0; j < p.l; j++) {
      packPoly(at, poly(PV_Z, j), zb, gamma1(p), true);
      at += <usize>(32 * zb);
    }
    packHints(at, PV_H, p.k, p.omega);
    return OK;
  }
  return ERR_SIGN_LOOP;
}

/**
 * ML-DSA.Verify_internal (Algorithm 8) given mu: 1 when the signature is
 * valid for pk, 0 otherwise (a malformed encoding is simply invalid). All
 * inputs are public.
 */
export function verifyInternal(pk: usize, mu: usize, sig: usize, p: Params): i32 {
  const zb = zBits(p);
  const zAt = sig + <usize>p.ctildeBytes;
  const hAt = zAt + <usize>(32 * zb * p.l);
  if (!unpackHints(PV_H, hAt, p.k, p.omega)) return 0;
  for (let j = 0; j < p.l; j++) {
    // unpackGamma1 reads up to 6 bytes past this z; the hint bytes follow it.
    unpackGamma1(poly(PV_Z, j), zAt + <usize>(32 * zb * j), zb);
    if (polyChkNorm(poly(PV_Z, j), gamma1(p) - p.beta)) return 0;
    ntt(poly(PV_Z, j));
  }
  expandA(pk, p);
  sampleInBall(P_C, ST, sig, <usize>p.ctildeBytes, p.tau);
  ntt(P_C);
  for (let i = 0; i < p.k; i++) {
    // w'_approx = NTT^-1(A-hat o z-hat - c-hat o NTT(t1 2^d)); w1' = UseHint(h, w'_approx)
    const t1 = P_T1;
    unpackPoly(t1, pk + 32 + <usize>(320 * i), 10, 0, false);
    polyShiftL(t1);
    ntt(t1);
    pointwiseAcc(P_T2, P_C, t1, 1);
    const w = poly(PV_W, i);
    pointwiseAcc(w, aPoly(i, 0), PV_Z, p.l);
    polySub(w, w, P_T2);
    polyReduce(w);
    invntt(w);
    polyFreeze(w);
    polyUseHint(w, poly(PV_H, i), P_T0, p.gamma2);
  }
  challengeHash(CTILDE, mu, PV_W, p);
  let diff = 0;
  for (let i = 0; i < p.ctildeBytes; i++) diff |= <i32>(load<u8>(CTILDE + <usize>i) ^ load<u8>(sig + <usize>i));
  return diff == 0 ? 1 : 0;
}
