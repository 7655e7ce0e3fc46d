#!/usr/bin/env node
// Derives build/enclave.waven.wasm from build/enclave.wasm (DESIGN.md, "WAVEN
// emulation"): every memory access is rewritten to go through the instance's
// page tables, which live in the physical memory that the host owns.
//
//   load  at virtual a:  phys = u32[rt + (a >> 16) * 4] + (a & 0xffff)
//   store at virtual a:  phys = u32[wt + (a >> 16) * 4] + (a & 0xffff)
//
// rt and wt are imported immutable globals (waven.rt, waven.wt): each
// instance gets its own tables. The memory becomes an import (waven.memory,
// the physical memory shared by all instances); its data segments are
// removed and listed in a custom section, so that the host loads them through
// the tables. memory.size and memory.grow become calls to the host
// (waven.size, waven.grow), which maps new frames; memory.copy and
// memory.fill become internal helpers that translate page by page. Every
// load form (plain, v128, splat/extend/zero, lane) and every store form is
// handled; the pass refuses, with a message naming the instruction and the
// function, anything else that touches memory (atomics, memory.init,
// data.drop). After the rewrite -O3 inlines the translation: one extra load
// per access.
//
// Most accesses are *confined* instead (docs/waven.md, "Confined accesses"):
// the page of a base local (or of a static array) is translated once, and
// the access goes to that frame at (address & 0xffff), so no computed
// address reaches a frame the instance's tables do not grant. The checking
// build (--check-straddle) traps where a confined access leaves its base's
// page. --no-confine builds the first phase's module (every access
// translated), for the bench.
//
//   node scripts/waven-instrument.mjs [in.wasm] [out.wasm] [--check-straddle] [--no-confine]
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import b from 'binaryen';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// --check-straddle builds a checking variant for tests: an access that would
// straddle a page boundary traps instead of reaching the frame's padding.
const CHECK = process.argv.includes('--check-straddle');
// Confined accesses (below; docs/waven.md, "Confined accesses") unless --no-confine, which
// translates every access on its own (the first phase's pass; the bench times both).
const CONFINE = !process.argv.includes('--no-confine');
const args = process.argv.slice(2).filter((a) => a !== '--check-straddle' && a !== '--no-confine');
const input = args[0] ?? join(root, 'build', 'enclave.wasm');
const output = args[1] ?? join(root, 'build', 'enclave.waven.wasm');

const m = b.readBinary(readFileSync(input));
m.setFeatures(b.Features.All);
const i32 = b.i32;
const TR = '__waven_tr';
const TW = '__waven_tw';
const COPY = '__waven_copy';
const FILL = '__waven_fill';

class Refused extends Error {}
const idName = {};
for (const k of Object.keys(b)) if (k.endsWith('Id') && typeof b[k] === 'number') idName[b[k]] = k.replace(/Id$/, '');

/** ptr + offset, translated through the read (or write) table; `bytes` is the access size. */
function translated(ptr, offset, write, bytes) {
  const addr = offset === 0 ? ptr : m.i32.add(ptr, m.i32.const(offset));
  if (CHECK) return m.call(write ? TW : TR, [m.call('__waven_check', [addr, m.i32.const(bytes)], i32)], i32);
  return m.call(write ? TW : TR, [addr], i32);
}

/** Bytes touched by a SIMD load form or a lane access. */
function simdBytes(op) {
  const sizes = {
    [b.Load8SplatVec128]: 1, [b.Load16SplatVec128]: 2, [b.Load32SplatVec128]: 4, [b.Load64SplatVec128]: 8,
    [b.Load8x8SVec128]: 8, [b.Load8x8UVec128]: 8, [b.Load16x4SVec128]: 8, [b.Load16x4UVec128]: 8,
    [b.Load32x2SVec128]: 8, [b.Load32x2UVec128]: 8, [b.Load32ZeroVec128]: 4, [b.Load64ZeroVec128]: 8,
    [b.Load8LaneVec128]: 1, [b.Load16LaneVec128]: 2, [b.Load32LaneVec128]: 4, [b.Load64LaneVec128]: 8,
    [b.Store8LaneVec128]: 1, [b.Store16LaneVec128]: 2, [b.Store32LaneVec128]: 4, [b.Store64LaneVec128]: 8,
  };
  if (!(op in sizes)) throw new Refused(`SIMD memory op ${op} in ${fnName}`);
  return sizes[op];
}

let fnName = '';

// ---- the tree walk ---------------------------------------------------------------------------
// mapChildren(e, f) replaces every child c of e with f(c), in evaluation order. The pass refuses
// an expression it does not know (memory ones are handled by the caller before this).
function mapChildren(e, f) {
  const E = b;
  const id = b.getExpressionId(e);
  switch (id) {
    case E.BlockId:
      for (let i = 0; i < E.Block.getNumChildren(e); i++) E.Block.setChildAt(e, i, f(E.Block.getChildAt(e, i)));
      return;
    case E.IfId:
      E.If.setCondition(e, f(E.If.getCondition(e)));
      E.If.setIfTrue(e, f(E.If.getIfTrue(e)));
      if (E.If.getIfFalse(e)) E.If.setIfFalse(e, f(E.If.getIfFalse(e)));
      return;
    case E.LoopId: E.Loop.setBody(e, f(E.Loop.getBody(e))); return;
    case E.BreakId:
      if (E.Break.getCondition(e)) E.Break.setCondition(e, f(E.Break.getCondition(e)));
      if (E.Break.getValue(e)) E.Break.setValue(e, f(E.Break.getValue(e)));
      return;
    case E.SwitchId:
      E.Switch.setCondition(e, f(E.Switch.getCondition(e)));
      if (E.Switch.getValue(e)) E.Switch.setValue(e, f(E.Switch.getValue(e)));
      return;
    case E.CallId:
      // A tail call leaves the function without its epilogue, which raises the fault flag.
      if (E.Call.isReturn(e)) throw new Refused(`return_call in ${fnName}: the WAVEN pass does not take tail calls`);
      for (let i = 0; i < E.Call.getNumOperands(e); i++) E.Call.setOperandAt(e, i, f(E.Call.getOperandAt(e, i)));
      return;
    case E.CallIndirectId:
      if (E.CallIndirect.isReturn(e)) throw new Refused(`return_call_indirect in ${fnName}: the WAVEN pass does not take tail calls`);
      E.CallIndirect.setTarget(e, f(E.CallIndirect.getTarget(e)));
      for (let i = 0; i < E.CallIndirect.getNumOperands(e); i++) E.CallIndirect.setOperandAt(e, i, f(E.CallIndirect.getOperandAt(e, i)));
      return;
    case E.LocalSetId: E.LocalSet.setValue(e, f(E.LocalSet.getValue(e))); return;
    case E.GlobalSetId: E.GlobalSet.setValue(e, f(E.GlobalSet.getValue(e))); return;
    case E.UnaryId: E.Unary.setValue(e, f(E.Unary.getValue(e))); return;
    case E.BinaryId:
      E.Binary.setLeft(e, f(E.Binary.getLeft(e)));
      E.Binary.setRight(e, f(E.Binary.getRight(e)));
      return;
    case E.SelectId:
      E.Select.setIfTrue(e, f(E.Select.getIfTrue(e)));
      E.Select.setIfFalse(e, f(E.Select.getIfFalse(e)));
      E.Select.setCondition(e, f(E.Select.getCondition(e)));
      return;
    case E.DropId: E.Drop.setValue(e, f(E.Drop.getValue(e))); return;
    case E.ReturnId: if (E.Return.getValue(e)) E.Return.setValue(e, f(E.Return.getValue(e))); return;
    case E.SIMDExtractId: E.SIMDExtract.setVec(e, f(E.SIMDExtract.getVec(e))); return;
    case E.SIMDReplaceId:
      E.SIMDReplace.setVec(e, f(E.SIMDReplace.getVec(e)));
      E.SIMDReplace.setValue(e, f(E.SIMDReplace.getValue(e)));
      return;
    case E.SIMDShuffleId:
      E.SIMDShuffle.setLeft(e, f(E.SIMDShuffle.getLeft(e)));
      E.SIMDShuffle.setRight(e, f(E.SIMDShuffle.getRight(e)));
      return;
    case E.SIMDTernaryId:
      E.SIMDTernary.setA(e, f(E.SIMDTernary.getA(e)));
      E.SIMDTernary.setB(e, f(E.SIMDTernary.getB(e)));
      E.SIMDTernary.setC(e, f(E.SIMDTernary.getC(e)));
      return;
    case E.SIMDShiftId:
      E.SIMDShift.setVec(e, f(E.SIMDShift.getVec(e)));
      E.SIMDShift.setShift(e, f(E.SIMDShift.getShift(e)));
      return;
    case E.ConstId: case E.LocalGetId: case E.GlobalGetId: case E.NopId: case E.UnreachableId:
      return;
    case E.LoadId: E.Load.setPtr(e, f(E.Load.getPtr(e))); return;
    case E.StoreId: E.Store.setPtr(e, f(E.Store.getPtr(e))); E.Store.setValue(e, f(E.Store.getValue(e))); return;
    case E.SIMDLoadId: E.SIMDLoad.setPtr(e, f(E.SIMDLoad.getPtr(e))); return;
    case E.SIMDLoadStoreLaneId:
      E.SIMDLoadStoreLane.setPtr(e, f(E.SIMDLoadStoreLane.getPtr(e)));
      E.SIMDLoadStoreLane.setVec(e, f(E.SIMDLoadStoreLane.getVec(e)));
      return;
    case E.MemoryCopyId:
      E.MemoryCopy.setDest(e, f(E.MemoryCopy.getDest(e)));
      E.MemoryCopy.setSource(e, f(E.MemoryCopy.getSource(e)));
      E.MemoryCopy.setSize(e, f(E.MemoryCopy.getSize(e)));
      return;
    case E.MemoryFillId:
      E.MemoryFill.setDest(e, f(E.MemoryFill.getDest(e)));
      E.MemoryFill.setValue(e, f(E.MemoryFill.getValue(e)));
      E.MemoryFill.setSize(e, f(E.MemoryFill.getSize(e)));
      return;
    case E.MemorySizeId: return;
    case E.MemoryGrowId: E.MemoryGrow.setDelta(e, f(E.MemoryGrow.getDelta(e))); return;
    default:
      throw new Refused(`${idName[id] ?? `expression id ${id}`} in ${fnName}: the WAVEN pass does not know how to translate it`);
  }
}

// ---- confined accesses (docs/waven.md, "Confined accesses") -----------------------------------
// An access whose address is a local L, or a sum with L among its terms, and whose static offset
// is small, is *confined to L's page*: its frame base is translated once, when L is set (a shadow
// local per table, kept equal to table[L >> 16]), and the access goes to
//   shadow + ((address + offset) & 0xffff)
// so whatever address the kernel computes, the access lands in the frame the instance's table
// grants for L's page, for that kind of access (reads through the read table, writes through the
// write table), or in that frame's padding (FRAME_PADDING). A wrong address gives a wrong answer,
// never another frame's byte. The checking build (--check-straddle) traps instead when the address
// is not in L's page or the access crosses the page's end, so the suites catch a kernel that strays.
// A *direct* access (its address a local q plus constants c, with offset + c + width within
// FRAME_PADDING) goes to q's direct shadow, shadow + (q & 0xffff), updated at every set of q, with
// offset + c kept in the instruction: nothing per access, and still inside the frame or its padding.

/** The static offsets a confined access may have (a struct field, an unrolled loop's step). */
const MAX_CONFINED_OFFSET = 256;
/**
 * Bytes of padding after each frame's 64 KiB (host/waven/frames.ts FRAME_PADDING; a test keeps the
 * two equal). A *direct* access (below) may reach up to this far past its frame's payload.
 */
const FRAME_PADDING = 4096;
/** Per function: the values set into each local; what each holds (classify); accesses (expression -> {local, write}); the shadows made. */
let fn;
/** The label of a function's epilogue (where its returns go when it has confined stores). */
const EXIT = '__waven_exit';
/** Confined access sites, in the order the pass met them. */
const sites = [];

/** The leaves of a tree of i32.add: the terms of an address sum. */
function terms(e, out = []) {
  if (b.getExpressionId(e) === b.BinaryId && b.Binary.getOp(e) === b.AddInt32) {
    terms(b.Binary.getLeft(e), out);
    terms(b.Binary.getRight(e), out);
  } else out.push(e);
  return out;
}

/**
 * What each local holds, as far as its values show: 'index' (an index or an offset: small
 * constants, scaled values, sums and mixes of indices), 'pointer' (a static address, or a sum with
 * a pointer or with a scaled index, the shape of `base + i * size`) or 'unknown' (parameters,
 * loaded values, mixes). Iterated from 'index' for every local that is set until nothing changes.
 */
function classify(params) {
  const cls = new Map();
  for (const l of fn.values.keys()) cls.set(l, l < params ? 'unknown' : 'index');
  const scaled = (e) => b.getExpressionId(e) === b.BinaryId && (b.Binary.getOp(e) === b.ShlInt32 || b.Binary.getOp(e) === b.MulInt32) && b.getExpressionId(b.Binary.getRight(e)) === b.ConstId;
  const kind = (e) => {
    const id = b.getExpressionId(e);
    if (b.getExpressionType(e) !== i32) return 'unknown';
    if (id === b.ConstId) return Math.abs(b.Const.getValueI32(e)) < 0x10000 ? 'index' : 'pointer';
    if (id === b.LocalGetId) {
      const l = b.LocalGet.getIndex(e);
      return cls.get(l) ?? (l < params ? 'unknown' : 'index'); // a local never set is 0
    }
    if (id === b.LocalSetId) return kind(b.LocalSet.getValue(e));
    if (id !== b.BinaryId) return 'unknown';
    const op = b.Binary.getOp(e), L = b.Binary.getLeft(e), R = b.Binary.getRight(e);
    if (scaled(e)) return 'index';
    const kl = kind(L), kr = kind(R);
    if (op === b.AddInt32) {
      if (kl === 'pointer' || kr === 'pointer') return kl === 'pointer' && kr === 'pointer' ? 'unknown' : 'pointer';
      if (kl === 'index' && kr === 'index') return 'index';
      // unknown + a scaled index: base + i * size
      if ((kl === 'unknown' && scaled(R)) || (kr === 'unknown' && scaled(L))) return 'pointer';
      return 'unknown';
    }
    if (op === b.SubInt32) {
      if (kl === 'pointer' && kr === 'index') return 'pointer';
      if (kl === 'index' && kr === 'index') return 'index';
      return 'unknown';
    }
    if (op === b.AndInt32 || op === b.OrInt32 || op === b.XorInt32) return kl === 'index' && kr === 'index' ? 'index' : 'unknown';
    return op === b.ShrUInt32 || op === b.ShrSInt32 || op === b.RemUInt32 || op === b.DivUInt32 ? 'index' : 'unknown';
  };
  for (let round = 0, changed = true; changed && round < 50; round++) {
    changed = false;
    for (const [l, values] of fn.values) {
      if (l < params) continue;
      const ks = new Set(values.map(kind));
      const k = ks.size === 1 ? [...ks][0] : 'unknown';
      if (k !== cls.get(l)) { cls.set(l, k); changed = true; }
    }
  }
  return { cls, kind };
}

/**
 * What an access at `ptr + offset` is confined to: { local } (the page of a local's value), { page }
 * (a static array's page, a constant), or undefined (translated on its own). The choice decides
 * speed and correctness (the checking build tests it), never isolation.
 */
function baseOf(ptr, offset) {
  // The constant part of the address: the static offset and the constant terms.
  const all = terms(ptr);
  // Constants as signed values (a negative one is a step back, not an address near 4 GiB); a negative
  // constant part or one past 4 GiB is translated on its own.
  let constant = offset;
  for (const t of all) if (b.getExpressionId(t) === b.ConstId && b.getExpressionType(t) === i32) constant += b.Const.getValueI32(t);
  if (constant < 0 || constant > 0xffffffff) return undefined;
  // A static array's address (64 KiB or more, or a few hundred bytes with only indices beside it):
  // the locals added to it are indices, and the access is confined to that address's page, unless
  // a term is known to be a pointer.
  const localTerms = all.filter((t) => b.getExpressionId(t) !== b.ConstId);
  const kinds = localTerms.map((t) => fn.kind(t));
  if (constant >= 0x10000 || (constant >= MAX_CONFINED_OFFSET && kinds.every((k) => k === 'index'))) {
    return kinds.includes('pointer') ? undefined : { page: Math.floor(constant / 0x10000) };
  }
  // Candidates: the local terms, and the locals a term sets (a local.tee's value is the term), each
  // with what it holds here (a tee: its value's kind; a local: its class).
  const candidates = [];
  for (const t of all) {
    if (b.getExpressionType(t) !== i32) continue;
    if (b.getExpressionId(t) === b.LocalGetId) candidates.push({ l: b.LocalGet.getIndex(t), k: fn.kind(t) });
    else if (b.getExpressionId(t) === b.LocalSetId && b.LocalSet.isTee(t)) candidates.push({ l: b.LocalSet.getIndex(t), k: fn.kind(t) });
  }
  // The one pointer among them; else the one unknown (a parameter, say) beside indices; else a lone
  // local that is not an index (or is the whole address). Anything else is translated on its own.
  const of = (k) => candidates.filter((c) => c.k === k).map((c) => c.l);
  const pointers = of('pointer'), unknown = of('unknown');
  if (pointers.length === 1) return staticOrRoot(pointers[0]);
  if (pointers.length === 0 && unknown.length === 1) return { local: rootOf(unknown[0]) };
  // A lone local that is an index beside other terms (a loaded value, say) is not a base.
  if (candidates.length === 1 && (candidates[0].k !== 'index' || all.length === 1)) return staticOrRoot(candidates[0].l);
  return undefined;
}

/**
 * A pointer local every value of which is a static address plus indices (`q = A + (c << 5)` in a
 * loop over a static array A, once binaryen has inlined A's address; or `q = b + j` with b such a
 * local) stands for A's page: the access is confined to that page, whose shadow is translated once
 * per call, instead of translating the local's page at every set. { page } when all its values
 * name one page, else { local: rootOf(l) }.
 */
function staticOrRoot(l) {
  const r = staticRange(l, 0);
  if (r && r[0] >= 0x10000 && r[1] <= 0xffffffff && Math.floor(r[0] / 0x10000) === Math.floor(r[1] / 0x10000)) {
    return { page: Math.floor(r[0] / 0x10000) };
  }
  return { local: rootOf(l) };
}

/** The largest element stride a static array may be indexed with and still count as one page (an ML-DSA polynomial). */
const MAX_STATIC_STRIDE = 1024;

/** The constant factor of a scaled index term (`x << k`, `x * c`, nested), else 1. */
function stride(t) {
  if (b.getExpressionId(t) !== b.BinaryId) return 1;
  const op = b.Binary.getOp(t), R = b.Binary.getRight(t), L = b.Binary.getLeft(t);
  const c = b.getExpressionId(R) === b.ConstId ? b.Const.getValueI32(R) >>> 0 : undefined;
  if (op === b.ShlInt32 && c !== undefined) return stride(L) * 2 ** (c & 31);
  if (op === b.MulInt32 && c !== undefined) return stride(L) * c;
  // A product of two indices (`blk * step` in an NTT layer) has no constant stride: it counts as 1,
  // like any other index; the checking build tests that it stays in the page.
  return 1;
}

/**
 * [min, max] of the constant part of local l's values, when every value is constants, indices and
 * at most one local with such a range (followed up to 4 deep); undefined otherwise.
 */
function staticRange(l, depth) {
  const values = l < fn.params ? undefined : fn.values.get(l);
  if (!values || depth > 4) return undefined;
  let lo = Infinity, hi = -Infinity;
  for (let v of values) {
    if (b.getExpressionId(v) === b.LocalSetId && b.LocalSet.isTee(v)) v = b.LocalSet.getValue(v);
    let c0 = 0, c1 = 0, nested = 0;
    for (const t of terms(v)) {
      const id = b.getExpressionId(t);
      if (id === b.ConstId && b.getExpressionType(t) === i32) { c0 += b.Const.getValueI32(t); c1 += b.Const.getValueI32(t); continue; }
      if (fn.kind(t) === 'index') {
        // A record stride over 1 KiB (`A + s * 2704`: a table of sessions) may take the index out
        // of A's page: such a local keeps its own shadows.
        if (stride(t) > MAX_STATIC_STRIDE) return undefined;
        continue;
      }
      const x = id === b.LocalGetId ? b.LocalGet.getIndex(t) : id === b.LocalSetId && b.LocalSet.isTee(t) ? b.LocalSet.getIndex(t) : -1;
      const r = x >= 0 && x !== l && nested === 0 ? staticRange(x, depth + 1) : undefined;
      if (!r) return undefined;
      nested++;
      c0 += r[0];
      c1 += r[1];
    }
    lo = Math.min(lo, c0);
    hi = Math.max(hi, c1);
  }
  return [lo, hi];
}

/**
 * The array base behind a pointer local: a local set once (SSA) to `P + index` (P a pointer or
 * unknown local, the rest indices and a constant part under 64 KiB) stands for the same page as P,
 * so the access can be confined to P's page, and the shadows follow P, which a loop sets far less
 * often than the element pointer it derives (`p = a + j` in a butterfly loop: a's page is
 * translated once). Followed only to a *stable* base, whose value cannot change between the
 * derived pointer's definition and its use: a parameter the function never sets, or a local set
 * exactly once, outside every loop. Returns the base, or l itself.
 */
function rootOf(l) {
  const stable = (x) => (x < fn.params ? !fn.values.has(x) : fn.values.get(x)?.length === 1 && !fn.inLoop.has(x));
  let cur = l;
  let best = l;
  for (let depth = 0; depth < 8; depth++) {
    const values = fn.values.get(cur);
    if (cur < fn.params || !values || values.length !== 1) break;
    let v = values[0];
    if (b.getExpressionId(v) === b.LocalSetId && b.LocalSet.isTee(v)) v = b.LocalSet.getValue(v);
    const ts = terms(v);
    let constant = 0;
    const bases = [];
    for (const t of ts) {
      const id = b.getExpressionId(t);
      if (id === b.ConstId) { constant += b.Const.getValueI32(t); continue; }
      if (fn.kind(t) === 'index') continue;
      if (id === b.LocalGetId) bases.push(b.LocalGet.getIndex(t));
      else if (id === b.LocalSetId && b.LocalSet.isTee(t)) bases.push(b.LocalSet.getIndex(t));
      else { bases.length = 2; break; }
    }
    if (ts.length < 2 || bases.length !== 1 || constant < 0 || constant >= 0x10000) break;
    cur = bases[0];
    if (stable(cur)) best = cur;
  }
  return best;
}

/** Pass one over a function: the values set into each local; then each access's base. */
function scan(e, loops = 0) {
  const id = b.getExpressionId(e);
  if (id === b.LocalSetId) {
    const l = b.LocalSet.getIndex(e);
    if (!fn.values.has(l)) fn.values.set(l, []);
    fn.values.get(l).push(b.LocalSet.getValue(e));
    if (loops > 0) fn.inLoop.add(l);
  }
  const inner = id === b.LoopId ? loops + 1 : loops;
  mapChildren(e, (c) => { scan(c, inner); return c; });
}
function pick(e) {
  const id = b.getExpressionId(e);
  let ptr, offset, write;
  // binaryen.js gives offsets of 2^31 and more as negative numbers: >>> 0.
  if (id === b.LoadId) { ptr = b.Load.getPtr(e); offset = b.Load.getOffset(e) >>> 0; write = false; }
  else if (id === b.StoreId) { ptr = b.Store.getPtr(e); offset = b.Store.getOffset(e) >>> 0; write = true; }
  else if (id === b.SIMDLoadId) { ptr = b.SIMDLoad.getPtr(e); offset = b.SIMDLoad.getOffset(e) >>> 0; write = false; }
  else if (id === b.SIMDLoadStoreLaneId) { ptr = b.SIMDLoadStoreLane.getPtr(e); offset = b.SIMDLoadStoreLane.getOffset(e) >>> 0; write = b.SIMDLoadStoreLane.isStore(e); }
  if (ptr !== undefined) totalAccesses++;
  if (ptr !== undefined && CONFINE) {
    const base = baseOf(ptr, offset);
    // WAVEN_DEBUG=unconfined lists the accesses translated on their own.
    if (!base && process.env.WAVEN_DEBUG === 'unconfined') console.error(`not confined, in function ${fnName}: offset ${offset} ${b.emitText(ptr).replace(/\s+/g, ' ').slice(0, 160)}`);
    if (base) {
      // Direct: the address is a local q alone and the offset plus the access's width fit the frame
      // padding, so the access can go to q's direct shadow (frame + (q & 0xffff)) with its offset
      // kept in the instruction.
      const { q, c } = localPlusConstant(ptr);
      const direct = q >= 0 && c >= 0 && offset + c + accessBytes(e) <= FRAME_PADDING ? q : undefined;
      fn.access.set(e, { ...base, write, direct, directOffset: offset + c });
      const map = base.page === undefined ? fn.shadows : fn.pages;
      const key = base.page ?? base.local;
      const sh = map.get(key) ?? { r: -1, w: -1 };
      map.set(key, sh);
      if (write) sh.w = 0; else sh.r = 0; // allocated after the scan
    }
  }
  mapChildren(e, (c) => { pick(c); return c; });
}

/** table[v >> 16]: the frame base the table gives v's page. */
const tableEntry = (table, v) => m.i32.load(0, 4, m.i32.add(m.global.get(table, i32), m.i32.shl(m.i32.shr_u(v, m.i32.const(16)), m.i32.const(2))));

/** The shadow updates for local l (its value just set). */
function shadowUpdates(l) {
  const sh = fn.shadows.get(l);
  const out = [];
  if (sh.r >= 0) out.push(m.local.set(sh.r, tableEntry('__waven_rt', m.local.get(l, i32))));
  if (sh.w >= 0) out.push(m.local.set(sh.w, tableEntry('__waven_wt', m.local.get(l, i32))), faultBit(sh));
  return out;
}

/** The static arrays' page shadows, from the tables. */
function pageUpdates() {
  const out = [];
  for (const [page, sh] of fn.pages) {
    const entry = (table) => m.i32.load(0, 4, m.i32.add(m.global.get(table, i32), m.i32.const(page * 4)));
    if (sh.r >= 0) out.push(m.local.set(sh.r, entry('__waven_rt')));
    if (sh.w >= 0) out.push(m.local.set(sh.w, entry('__waven_wt')), faultBit(sh));
  }
  return out;
}

/** sh.f = 1 when the write shadow is the exception frame (the page is not writable), else 0. */
function faultBit(sh) {
  return m.local.set(sh.f, m.i32.eq(m.local.get(sh.w, i32), m.global.get('__waven_exc', i32)));
}

/**
 * The direct shadows of local q (its value just set, or the function entered): the base's frame
 * plus q's in-page offset, per table used. q's base is fixed (its page or its stable root local, whose
 * shadows are current wherever q is set: a root is a parameter or a local set once before q's uses).
 */
function directUpdates(q) {
  const d = fn.direct.get(q);
  const sh = d.base.page === undefined ? fn.shadows.get(d.base.local) : fn.pages.get(d.base.page);
  const inPage = () => m.i32.and(m.local.get(q, i32), m.i32.const(0xffff));
  const out = [];
  if (d.r >= 0) out.push(m.local.set(d.r, m.i32.add(m.local.get(sh.r, i32), inPage())));
  if (d.w >= 0) out.push(m.local.set(d.w, m.i32.add(m.local.get(sh.w, i32), inPage())));
  return out;
}

/**
 * Keep an access direct only when every direct candidate on its local q has the same base: q's
 * direct shadows are one pair, built from one base's shadows, and a store's fault bit is its base's.
 * (With two bases, a store could take its address from one base's write frame and its fault bit
 * from the other's, and a load could read the other base's frame: the review of issue 17 found
 * both with an index-class q, `q = p >>> 0`, used bare and at offset 256.) The others are demoted
 * to the masked form.
 */
function resolveDirect() {
  const keyOf = (a) => (a.page === undefined ? `l${a.local}` : `p${a.page}`);
  const bases = new Map();
  for (const a of fn.access.values()) {
    if (a.direct === undefined) continue;
    const k = keyOf(a);
    const seen = bases.get(a.direct);
    bases.set(a.direct, seen === undefined || seen === k ? k : null);
  }
  for (const a of fn.access.values()) {
    if (a.direct === undefined) continue;
    if (bases.get(a.direct) === null) { a.direct = undefined; continue; }
    const d = fn.direct.get(a.direct) ?? { r: -1, w: -1, base: a.page === undefined ? { local: a.local } : { page: a.page } };
    fn.direct.set(a.direct, d);
    if (a.write) d.w = 0; else d.r = 0;
  }
}

/** ptr as `local.get q` plus constant terms: { q, c } (q = -1 when it has another shape). */
function localPlusConstant(ptr) {
  let q = -1, c = 0;
  for (const t of terms(ptr)) {
    const id = b.getExpressionId(t);
    if (id === b.ConstId && b.getExpressionType(t) === i32) c += b.Const.getValueI32(t);
    else if (id === b.LocalGetId && q < 0) q = b.LocalGet.getIndex(t);
    else return { q: -1, c: 0 };
  }
  return { q, c };
}

/** The bytes an access reads or writes. */
function accessBytes(e) {
  const id = b.getExpressionId(e);
  if (id === b.LoadId) return b.Load.getBytes(e);
  if (id === b.StoreId) return b.Store.getBytes(e);
  if (id === b.SIMDLoadId) return simdBytes(b.SIMDLoad.getOp(e));
  return simdBytes(b.SIMDLoadStoreLane.getOp(e));
}

/** A confined access's physical address: the shadow plus the in-page offset of ptr + offset. */
function confined(ptr, offset, a, bytes) {
  const sh = a.page === undefined ? fn.shadows.get(a.local) : fn.pages.get(a.page);
  const frame = a.write ? sh.w : sh.r;
  // The value whose page the access is confined to: the local, or the static array's page.
  const base = () => (a.page === undefined ? m.local.get(a.local, i32) : m.i32.const(a.page * 0x10000));
  // The checking build names the access that strayed: its site number (the pass's count) goes to
  // bytes 56..59 of the physical memory (the host's area) before the trap; WAVEN_DEBUG lists the sites.
  const site = sites.length;
  if (process.env.WAVEN_DEBUG) sites.push({ site, fn: fnName, local: a.local, page: a.page, offset, write: a.write, ptr: b.emitText(ptr).slice(0, 400) });
  else sites.push(site);
  let phys;
  if (a.direct !== undefined) {
    // Direct: q's shadow already holds frame + (q & 0xffff); the offset stays in the instruction
    // (the caller keeps it), so the access reaches at most 0xffff + FRAME_PADDING past the frame's
    // base: its own padding. The checking build checks q itself against the base's page and
    // [q, q + constant + width) against the page's end: a q just below the base's page, whose
    // q + constant is inside it, reads the padding here, so it must trap there.
    const d = fn.direct.get(a.direct);
    const dp = m.local.get(a.write ? d.w : d.r, i32);
    const check = () => m.drop(m.call('__waven_check_confined', [m.local.get(a.direct, i32), base(), m.i32.const(a.directOffset + bytes), m.i32.const(site)], i32));
    phys = CHECK ? m.block(null, [check(), dp], i32) : dp;
  } else {
    const addr = offset === 0 ? ptr : m.i32.add(ptr, m.i32.const(offset));
    const checked = CHECK ? m.call('__waven_check_confined', [addr, base(), m.i32.const(bytes), m.i32.const(site)], i32) : addr;
    // The address first: it may set the base (a local.tee among its terms), and with it the shadow.
    phys = m.i32.add(m.i32.and(checked, m.i32.const(0xffff)), m.local.get(frame, i32));
  }
  if (!a.write) return phys;
  // A store into a page the write table does not grant lands in the exception frame. The store ORs
  // its base's fault bit into the function's fault local (a register operation, no branch); the
  // function raises the instance's fault flag once, on its way out (function epilogue, below).
  return m.block(null, [
    m.local.set(fn.tmp, phys),
    m.local.set(fn.fault, m.i32.or(m.local.get(fn.fault, i32), m.local.get(sh.f, i32))),
    m.local.get(fn.tmp, i32),
  ], i32);
}

/** The static offset an access keeps: a direct access's constant part, else 0 (folded into the address). */
function directOffsetOf(e) {
  const a = fn.access.get(e);
  return a?.direct === undefined ? 0 : a.directOffset;
}

/** An access's new address: confined when it was picked, else translated on its own. */
function address(e, ptr, offset, write, bytes) {
  const a = fn.access.get(e);
  return a ? confined(ptr, offset, a, bytes) : translated(ptr, offset, write, bytes);
}

/** Rewrite one expression tree in place; returns the (possibly new) expression. */
function visit(e) {
  if (e === 0) return 0;
  const id = b.getExpressionId(e);
  const E = b;
  switch (id) {
    case E.LocalSetId: {
      E.LocalSet.setValue(e, visit(E.LocalSet.getValue(e)));
      const l = E.LocalSet.getIndex(e);
      if (!fn.shadows.has(l) && !fn.direct.has(l)) return e;
      // Keep the shadows equal to the tables' entries for the local's new value (then its direct
      // shadows, which add its in-page offset to its base's).
      const updates = [...(fn.shadows.has(l) ? shadowUpdates(l) : []), ...(fn.direct.has(l) ? directUpdates(l) : [])];
      if (!E.LocalSet.isTee(e)) return m.block(null, [e, ...updates], b.none);
      const type = b.getExpressionType(e);
      return m.block(null, [m.local.set(l, E.LocalSet.getValue(e)), ...updates, m.local.get(l, type)], type);
    }
    case E.LoadId: {
      if (E.Load.isAtomic(e)) throw new Refused(`atomic load in ${fnName}`);
      const ptr = visit(E.Load.getPtr(e));
      E.Load.setPtr(e, address(e, ptr, E.Load.getOffset(e), false, E.Load.getBytes(e)));
      E.Load.setOffset(e, directOffsetOf(e));
      return e;
    }
    case E.StoreId: {
      if (E.Store.isAtomic(e)) throw new Refused(`atomic store in ${fnName}`);
      const ptr = visit(E.Store.getPtr(e));
      E.Store.setPtr(e, address(e, ptr, E.Store.getOffset(e), true, E.Store.getBytes(e)));
      E.Store.setValue(e, visit(E.Store.getValue(e)));
      E.Store.setOffset(e, directOffsetOf(e));
      return e;
    }
    case E.SIMDLoadId: {
      const ptr = visit(E.SIMDLoad.getPtr(e));
      E.SIMDLoad.setPtr(e, address(e, ptr, E.SIMDLoad.getOffset(e), false, simdBytes(E.SIMDLoad.getOp(e))));
      E.SIMDLoad.setOffset(e, directOffsetOf(e));
      return e;
    }
    case E.SIMDLoadStoreLaneId: {
      const store = E.SIMDLoadStoreLane.isStore(e);
      const ptr = visit(E.SIMDLoadStoreLane.getPtr(e));
      E.SIMDLoadStoreLane.setPtr(e, address(e, ptr, E.SIMDLoadStoreLane.getOffset(e), store, simdBytes(E.SIMDLoadStoreLane.getOp(e))));
      E.SIMDLoadStoreLane.setVec(e, visit(E.SIMDLoadStoreLane.getVec(e)));
      E.SIMDLoadStoreLane.setOffset(e, directOffsetOf(e));
      return e;
    }
    case E.ReturnId: {
      if (fn.fault < 0) { mapChildren(e, visit); return e; }
      // Through the epilogue, which raises the fault flag.
      const value = E.Return.getValue(e);
      return m.break(EXIT, 0, value ? visit(value) : 0);
    }
    case E.MemoryCopyId:
      return m.call(COPY, [visit(E.MemoryCopy.getDest(e)), visit(E.MemoryCopy.getSource(e)), visit(E.MemoryCopy.getSize(e))], b.none);
    case E.MemoryFillId:
      return m.call(FILL, [visit(E.MemoryFill.getDest(e)), visit(E.MemoryFill.getValue(e)), visit(E.MemoryFill.getSize(e))], b.none);
    case E.MemorySizeId:
      return m.call('__waven_size', [], i32);
    case E.MemoryGrowId: {
      const grow = m.call('__waven_grow', [visit(E.MemoryGrow.getDelta(e))], i32);
      const refresh = [...[...fn.shadows.keys()].flatMap((l) => shadowUpdates(l)), ...pageUpdates(), ...[...fn.direct.keys()].flatMap((l) => directUpdates(l))];
      if (refresh.length === 0) return grow;
      // New pages are mapped: this function's shadows are translated again. (A caller's shadows for
      // the new pages stay at the exception frame until it sets its bases again: a wrong answer
      // there, never another frame's byte; the enclave never grows its memory.)
      const t = b._BinaryenFunctionAddVar(fn.ref, i32);
      return m.block(null, [m.local.set(t, grow), ...refresh, m.local.get(t, i32)], i32);
    }
    default:
      mapChildren(e, visit);
      return e;
  }
}

// One local per value (binaryen's ssa: a set gets a new local, merges get phi copies): the
// compiler's register allocation reuses a local for a pointer here and an index there (and for a
// loop counter), which would blur the per-local classification (classify) that picks each access's
// base. -O3 coalesces them again. (ssa-nomerge, which leaves merged locals alone, confined 1,524
// of 1,561 accesses against 1,552 and measured about 1% slower: docs/waven.md.)
if (CONFINE) m.runPasses(['ssa']);

// Rewrite every defined function (helpers are added afterwards, untranslated).
const names = [];
for (let i = 0; i < m.getNumFunctions(); i++) {
  const info = b.getFunctionInfo(m.getFunctionByIndex(i));
  if (info.base === '' || info.base === undefined) names.push(info.name);
}
// The pass's own names (__waven_*: the table globals, the helpers) must not already exist: a module
// global of that name would become the table-base import, with the module's own mutability.
{
  const taken = [...names];
  for (let i = 0; i < m.getNumGlobals(); i++) taken.push(b.getGlobalInfo(m.getGlobalByIndex(i)).name);
  const clash = taken.find((n) => n.startsWith('__waven_'));
  if (clash !== undefined) { console.error(`waven-instrument: refused: the input already has a name the pass uses: ${clash}`); process.exit(1); }
}
let confinedCount = 0;
let directCount = 0;
let totalAccesses = 0;
try {
  for (const name of names) {
    fnName = name;
    const f = m.getFunction(name);
    const info = b.getFunctionInfo(f);
    if (!info.body) continue;
    fn = { ref: f, params: 0, tmp: -1, fault: -1, inLoop: new Set(), values: new Map(), cls: new Map(), access: new Map(), shadows: new Map(), pages: new Map(), direct: new Map() };
    scan(info.body);
    fn.params = b.expandType(info.params).length;
    ({ cls: fn.cls, kind: fn.kind } = classify(fn.params));
    pick(info.body);
    resolveDirect();
    for (const sh of [...fn.shadows.values(), ...fn.pages.values()]) {
      if (sh.r === 0) sh.r = b._BinaryenFunctionAddVar(f, i32);
      if (sh.w === 0) { sh.w = b._BinaryenFunctionAddVar(f, i32); sh.f = b._BinaryenFunctionAddVar(f, i32); }
    }
    for (const d of fn.direct.values()) {
      if (d.r === 0) d.r = b._BinaryenFunctionAddVar(f, i32);
      if (d.w === 0) d.w = b._BinaryenFunctionAddVar(f, i32);
    }
    if ([...fn.access.values()].some((a) => a.write)) {
      fn.tmp = b._BinaryenFunctionAddVar(f, i32);
      fn.fault = b._BinaryenFunctionAddVar(f, i32);
    }
    let body = visit(info.body);
    // Shadows of parameters and of locals (zero on entry) start equal to their tables' entries.
    // Static arrays' pages once per call (tables change only between calls).
    const init = [...fn.shadows.keys()].flatMap((l) => shadowUpdates(l));
    init.push(...pageUpdates());
    init.push(...[...fn.direct.keys()].flatMap((l) => directUpdates(l)));
    if (fn.fault >= 0) {
      // The epilogue: every exit (the end, and each return, now a break to EXIT) raises the
      // instance's fault flag when a confined store went to the exception frame. A trap skips it;
      // the call has failed then anyway.
      const raise = m.if(m.local.get(fn.fault, i32), m.i32.store8(0, 1, m.global.get('__waven_flag', i32), m.i32.const(1)));
      const exit = m.block(EXIT, [body], info.results);
      if (info.results === b.none) body = m.block(null, [exit, raise], b.none);
      else {
        const result = b._BinaryenFunctionAddVar(f, info.results);
        body = m.block(null, [m.local.set(result, exit), raise, m.local.get(result, info.results)], info.results);
      }
    }
    b.Function.setBody(f, init.length ? m.block(null, [...init, body], info.results) : body);
    confinedCount += fn.access.size;
    directCount += [...fn.access.values()].filter((a) => a.direct !== undefined).length;
  }
} catch (err) {
  if (err instanceof Refused) {
    console.error(`waven-instrument: refused: ${err.message}`);
    process.exit(1);
  }
  throw err;
}

// The data segments leave the module: the host loads them through the tables.
const segments = [];
for (let i = 0; i < m.getNumDataSegments(); i++) {
  const seg = m.getDataSegmentByIndex(i);
  const info = m.getDataSegmentInfo(seg);
  if (info.passive) { console.error('waven-instrument: refused: a passive data segment'); process.exit(1); }
  // binaryen.js reports an active segment's constant offset as a byte number.
  if (typeof info.offset !== 'number') { console.error('waven-instrument: refused: a data segment at a non-constant offset'); process.exit(1); }
  // A segment past the initial memory would fail to instantiate in the plain module; here it would be
  // written through the tables into the exception frame. Refused.
  if (info.offset + info.data.byteLength > m.getMemoryInfo().initial * 65536) { console.error('waven-instrument: refused: a data segment past the initial memory'); process.exit(1); }
  segments.push({ offset: info.offset, data: Buffer.from(new Uint8Array(info.data)).toString('base64') });
}
const memInfo = m.getMemoryInfo();
m.setMemory(memInfo.initial, 65536, null, [], false, false, '0');
m.addMemoryImport('0', 'waven', 'memory', false);
m.addCustomSection('awre.waven.segments', new TextEncoder().encode(JSON.stringify({ pages: memInfo.initial, segments })));
// No export may name the physical memory: remove every memory export, whatever its name.
for (let i = m.getNumExports() - 1; i >= 0; i--) {
  const ex = b.getExportInfo(m.getExportByIndex(i));
  if (ex.kind === b.ExternalMemory) m.removeExport(ex.name);
}

// Imports: the instance's tables, its exception frame and fault flag, and
// its size/grow hooks.
m.addGlobalImport('__waven_rt', 'waven', 'rt', i32, false);
m.addGlobalImport('__waven_wt', 'waven', 'wt', i32, false);
m.addGlobalImport('__waven_exc', 'waven', 'exc', i32, false);
m.addGlobalImport('__waven_flag', 'waven', 'flag', i32, false);
m.addFunctionImport('__waven_size', 'waven', 'size', b.none, i32);
m.addFunctionImport('__waven_grow', 'waven', 'grow', i32, i32);

// Translation helpers (physical accesses: not rewritten). A store that the
// write table sends to the exception frame also raises the instance's fault
// flag (a byte in the host's area, outside every frame), so the host checks
// one byte after a call instead of scanning the sink.
const A = () => m.local.get(0, i32);
const entry = (table) => m.i32.load(0, 4, m.i32.add(m.global.get(table, i32), m.i32.shl(m.i32.shr_u(A(), m.i32.const(16)), m.i32.const(2))));
m.addFunction(TR, i32, i32, [], m.i32.add(entry('__waven_rt'), m.i32.and(A(), m.i32.const(0xffff))));
if (CHECK) {
  // __waven_check(a, size): trap when [a, a + size) crosses a page boundary.
  m.addFunction('__waven_check', b.createType([i32, i32]), i32, [], m.block(null, [
    m.if(m.i32.gt_u(m.i32.add(m.i32.and(A(), m.i32.const(0xffff)), m.local.get(1, i32)), m.i32.const(0x10000)), m.unreachable()),
    m.return(A()),
  ], i32));
  // __waven_check_confined(a, base, size, site): trap when a is not in base's page or [a, a + size) leaves it.
  const stray = () => m.block(null, [m.i32.store(0, 4, m.i32.const(56), m.local.get(3, i32)), m.unreachable()]);
  m.addFunction('__waven_check_confined', b.createType([i32, i32, i32, i32]), i32, [], m.block(null, [
    m.if(m.i32.ne(m.i32.shr_u(A(), m.i32.const(16)), m.i32.shr_u(m.local.get(1, i32), m.i32.const(16))), stray()),
    m.if(m.i32.gt_u(m.i32.add(m.i32.and(A(), m.i32.const(0xffff)), m.local.get(2, i32)), m.i32.const(0x10000)), stray()),
    m.return(A()),
  ], i32));
}
m.addFunction(TW, i32, i32, [i32], m.block(null, [
  m.local.set(1, entry('__waven_wt')),
  m.if(m.i32.eq(m.local.get(1, i32), m.global.get('__waven_exc', i32)), m.i32.store8(0, 1, m.global.get('__waven_flag', i32), m.i32.const(1))),
  m.return(m.i32.add(m.local.get(1, i32), m.i32.and(A(), m.i32.const(0xffff)))),
], i32));
// __waven_copy(d, s, n) and __waven_fill(d, v, n): page-chunked, with memmove semantics.
{
  const d = 0, s = 1, n = 2, take = 3, back = 4;
  const L = (k) => m.local.get(k, i32);
  // Expressions are trees: every use needs its own node, so these build fresh ones.
  const room = (k) => () => m.i32.sub(m.i32.const(0x10000), m.i32.and(L(k), m.i32.const(0xffff)));
  const nn = () => L(n);
  const min = (x, y) => () => m.select(m.i32.lt_u(x(), y()), x(), y());
  // Forward when d <= s or d >= s + n; otherwise copy from the end, chunk by chunk, never crossing a page.
  const fwd = m.loop('f', m.if(L(n), m.block(null, [
    m.local.set(take, min(min(nn, room(d)), room(s))()),
    m.memory.copy(m.call(TW, [L(d)], i32), m.call(TR, [L(s)], i32), L(take)),
    m.local.set(d, m.i32.add(L(d), L(take))), m.local.set(s, m.i32.add(L(s), L(take))), m.local.set(n, m.i32.sub(L(n), L(take))),
    m.br('f'),
  ])));
  // Backward: the last chunk ends at d + n - 1 / s + n - 1.
  const end = (k) => () => m.i32.add(m.i32.and(m.i32.sub(m.i32.add(L(k), L(n)), m.i32.const(1)), m.i32.const(0xffff)), m.i32.const(1));
  const bwd = m.loop('b', m.if(L(n), m.block(null, [
    m.local.set(take, min(min(nn, end(d)), end(s))()),
    m.local.set(n, m.i32.sub(L(n), L(take))),
    m.memory.copy(m.call(TW, [m.i32.add(L(d), L(n))], i32), m.call(TR, [m.i32.add(L(s), L(n))], i32), L(take)),
    m.br('b'),
  ])));
  m.addFunction(COPY, b.createType([i32, i32, i32]), b.none, [i32, i32], m.block(null, [
    m.local.set(back, m.i32.and(m.i32.gt_u(L(d), L(s)), m.i32.lt_u(m.i32.sub(L(d), L(s)), L(n)))),
    m.if(L(back), bwd, fwd),
  ]));
  const fill = m.loop('l', m.if(L(n), m.block(null, [
    m.local.set(take, min(nn, room(d))()),
    m.memory.fill(m.call(TW, [L(d)], i32), L(s), L(take)),
    m.local.set(d, m.i32.add(L(d), L(take))), m.local.set(n, m.i32.sub(L(n), L(take))),
    m.br('l'),
  ])));
  m.addFunction(FILL, b.createType([i32, i32, i32]), b.none, [i32], fill);
}

if (!m.validate()) { console.error('waven-instrument: the instrumented module does not validate'); process.exit(1); }
if (process.env.WAVEN_DEBUG) b.setDebugInfo(true);
b.setOptimizeLevel(3);
// Inline the translation helpers at every access (binaryen would keep the
// store helper, with its fault-flag branch, out of line at 370 call sites).
b.setAlwaysInlineMaxSize(64);
b.setShrinkLevel(0);
m.optimize();
const bytes = m.emitBinary();
if (process.env.WAVEN_DEBUG) writeFileSync(`${output}.sites.json`, JSON.stringify(sites, null, 1));
writeFileSync(output, bytes);
const digest = createHash('sha256').update(bytes).digest('hex');
console.log(`${output.startsWith(root) ? output.slice(root.length + 1) : output}  ${bytes.length} bytes  sha256:${digest}  (${confinedCount} of ${totalAccesses} accesses confined to a local's page, ${directCount} of them direct)`);
