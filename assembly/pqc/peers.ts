// The two digests PQC1 v2 takes of every ML-DSA identity key it meets
// (docs/pqc1.md sections 3 and 7): id = SHA3-256(pk), the idI / idR fields of
// INIT, and tr = SHAKE256(pk, 64), which FIPS 204 Algorithm 3 hashes into mu
// before verifying. A node talks to the same few peers again and again, so
// each key's digests are computed once and kept here, keyed by the whole
// public key compared byte for byte (a hit needs the same length, which fixes
// the parameter set, and the same bytes: no hash collision can make a
// different key match).
//
// Everything here is public (public keys and their hashes), so the lookup may
// exit early and nothing is wiped.
import { keccakHash, DS_SHA3, DS_SHAKE } from '../keccak';
import { Params, pkBytes } from '../mldsa/params';

const ENTRIES: i32 = 8;
const PK_MAX: usize = 2592; // ML-DSA-87
// Entry layout: pk length u32 @0 (0: empty), last use u64 @8, id @16 (32), tr @48 (64), pk @112.
const E_LEN: usize = 0;
const E_USE: usize = 8;
export const E_ID: usize = 16;
export const E_TR: usize = 48;
const E_PK: usize = 112;
const ENTRY: usize = E_PK + PK_MAX; // 2704, a multiple of 16
const TABLE: usize = memory.data(<i32>(ENTRIES * <i32>ENTRY), 16);
const KST: usize = memory.data(208, 16);
let clock: u64 = 0;

/**
 * The cache entry holding `pk` (an ML-DSA public key of set `p`), filled
 * on a miss over the least recently used entry: id at entry + E_ID, tr at
 * entry + E_TR. Valid until the next call.
 */
export function peerDigests(pk: usize, p: Params): usize {
  const len = <usize>pkBytes(p);
  let victim = TABLE;
  for (let i = 0; i < ENTRIES; i++) {
    const e = TABLE + <usize>i * ENTRY;
    if (load<u32>(e, E_LEN) == <u32>len && memory.compare(e + E_PK, pk, len) == 0) {
      store<u64>(e, ++clock, E_USE);
      return e;
    }
    if (load<u64>(e, E_USE) < load<u64>(victim, E_USE)) victim = e;
  }
  store<u32>(victim, 0, E_LEN); // no half-filled entry can ever match
  memory.copy(victim + E_PK, pk, len);
  keccakHash(KST, 136, DS_SHA3, pk, len, victim + E_ID, 32);
  keccakHash(KST, 136, DS_SHAKE, pk, len, victim + E_TR, 64);
  store<u32>(victim, <u32>len, E_LEN);
  store<u64>(victim, ++clock, E_USE);
  return victim;
}
