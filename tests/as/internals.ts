// Test-only entry: exports the enclave's internal ML-KEM layers so that
// tests/mlkem-internals.test.ts can check each optimised kernel against a
// plain reference (FIPS 203 as @noble/post-quantum's __tests implements it).
// Compiled by the test with the same asc options as the enclave; never part
// of build/enclave.wasm.
import { barrettV, fqmulV } from '../../assembly/mlkem/reduce';
import { ntt, invntt, basemulPrepare, basemulAcc } from '../../assembly/mlkem/ntt';
import { polyCompress, polyDecompress, polyFromMsg, polyToMsg, polyFromBytes12, polyToBytes12, bytes12Reduced } from '../../assembly/mlkem/poly';
import { cbd2, cbd3, sampleNTT, sampleNTTx2 } from '../../assembly/mlkem/sampling';

/** 64 KiB of test memory: polynomials at 0, 512, ...; bytes wherever the test says. */
const BUF: usize = memory.data(65536, 64);
const ST: usize = memory.data(400, 16);
const XB: usize = memory.data(400, 16);

export function buf(): usize { return BUF; }
export function t_barrett(x: i32): i32 { return i16x8.extract_lane_s(barrettV(i16x8.splat(<i16>x)), 0); }
export function t_fqmul(a: i32, z: i32, zb: i32): i32 {
  return i16x8.extract_lane_s(fqmulV(i16x8.splat(<i16>a), i16x8.splat(<i16>z), i16x8.splat(<i16>zb)), 0);
}
export function t_ntt(p: usize): void { ntt(BUF + p); }
export function t_invntt(p: usize): void { invntt(BUF + p); }
/** r = 2^-16 sum_j a_j o b_j for k polys at a (stride 512) and b (stride 512). */
export function t_basemul(r: usize, a: usize, b: usize, prep: usize, k: i32): void {
  for (let j = 0; j < k; j++) basemulPrepare(BUF + prep + (<usize>j << 10), BUF + b + (<usize>j << 9));
  basemulAcc(BUF + r, BUF + a, BUF + prep, k);
}
export function t_compress(dst: usize, p: usize, d: i32): void { polyCompress(BUF + dst, BUF + p, d); }
export function t_decompress(p: usize, src: usize, d: i32): void { polyDecompress(BUF + p, BUF + src, d); }
export function t_frommsg(p: usize, m: usize): void { polyFromMsg(BUF + p, BUF + m); }
export function t_tomsg(m: usize, p: usize): void { polyToMsg(BUF + m, BUF + p); }
export function t_from12(p: usize, src: usize): void { polyFromBytes12(BUF + p, BUF + src); }
export function t_to12(dst: usize, p: usize): void { polyToBytes12(BUF + dst, BUF + p); }
export function t_reduced12(src: usize): i32 { return bytes12Reduced(BUF + src) ? 1 : 0; }
export function t_cbd(p: usize, src: usize, eta: i32): void { if (eta == 2) cbd2(BUF + p, BUF + src); else cbd3(BUF + p, BUF + src); }
export function t_sample(p: usize, seed: usize): void { sampleNTT(BUF + p, ST, BUF + seed); }
export function t_sample2(p0: usize, p1: usize, s0: usize, s1: usize): void { sampleNTTx2(BUF + p0, BUF + p1, ST, XB, BUF + s0, BUF + s1); }
