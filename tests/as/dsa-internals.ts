// Test-only entry: the enclave's internal ML-DSA layers, exported so that
// tests/dsa-internals.test.ts can check each optimised kernel against a plain
// reference written from FIPS 204. Never part of build/enclave.wasm.
import { fqmulV, montReduce64 } from '../../assembly/mldsa/reduce';
import { ntt, invntt, pointwiseAcc } from '../../assembly/mldsa/ntt';
import {
  polyDecompose, polyPower2Round, polyMakeHint, polyUseHint, polyChkNorm,
  polyHighBits, polyAddReduceChk, polyLowBitsChk, polyReduceChk, polyMakeHintSum,
} from '../../assembly/mldsa/poly';
import { packPoly, unpackPoly, unpackGamma1 } from '../../assembly/mldsa/packing';
import { rejNTT } from '../../assembly/mldsa/sampling';

const BUF: usize = memory.data(65536, 64);
const ST: usize = memory.data(400, 16);

export function buf(): usize { return BUF; }
export function t_fqmul(a: i32, z: i32, zb: i32): i32 { return i32x4.extract_lane(fqmulV(i32x4.splat(a), i32x4.splat(z), i32x4.splat(zb)), 0); }
/** Montgomery reduction of the 64-bit value (hi << 32 | lo) in every lane. */
export function t_montreduce(lo: i32, hi: i32): i32 {
  const x = i64x2.splat((<i64>hi << 32) | <i64><u32>lo);
  return i32x4.extract_lane(montReduce64(x, x), 0);
}
export function t_ntt(p: usize): void { ntt(BUF + p); }
export function t_invntt(p: usize): void { invntt(BUF + p); }
export function t_pointwise(r: usize, a: usize, b: usize, n: i32): void { pointwiseAcc(BUF + r, BUF + a, BUF + b, n); }
export function t_decompose(a1: usize, a0: usize, a: usize, g2: i32): void { polyDecompose(BUF + a1, BUF + a0, BUF + a, g2); }
export function t_p2r(a1: usize, a0: usize, a: usize): void { polyPower2Round(BUF + a1, BUF + a0, BUF + a); }
export function t_makehint(h: usize, a0: usize, a1: usize, g2: i32): i32 { return polyMakeHint(BUF + h, BUF + a0, BUF + a1, g2); }
export function t_usehint(a: usize, h: usize, tmp: usize, g2: i32): void { polyUseHint(BUF + a, BUF + h, BUF + tmp, g2); }
export function t_chknorm(p: usize, b: i32): i32 { return polyChkNorm(BUF + p, b); }
export function t_highbits(w1: usize, w: usize, g2: i32): void { polyHighBits(BUF + w1, BUF + w, g2); }
export function t_addreducechk(z: usize, a: usize, b: usize, bound: i32): i32 { return polyAddReduceChk(BUF + z, BUF + a, BUF + b, bound); }
export function t_lowbitschk(r0: usize, w: usize, c: usize, g2: i32, bound: i32): i32 { return polyLowBitsChk(BUF + r0, BUF + w, BUF + c, g2, bound); }
export function t_reducechk(p: usize, bound: i32): i32 { return polyReduceChk(BUF + p, bound); }
export function t_makehintsum(h: usize, r0: usize, c: usize, w1: usize, g2: i32): i32 { return polyMakeHintSum(BUF + h, BUF + r0, BUF + c, BUF + w1, g2); }
export function t_pack(dst: usize, p: usize, bits: i32, off: i32, neg: bool): void { packPoly(BUF + dst, BUF + p, bits, off, neg); }
export function t_unpack(p: usize, src: usize, bits: i32, off: i32, neg: bool): void { unpackPoly(BUF + p, BUF + src, bits, off, neg); }
export function t_unpackg1(p: usize, src: usize, bits: i32): void { unpackGamma1(BUF + p, BUF + src, bits); }
export function t_rejntt(p: usize, seed: usize): void { rejNTT(BUF + p, ST, BUF + seed); }
