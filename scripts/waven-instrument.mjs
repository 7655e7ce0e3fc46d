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
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import b from 'binaryen';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// --check-straddle builds a checking variant for tests: an access that would
// straddle a page boundary traps instead of reaching the frame's padding.
const CHECK = process.argv.includes('--check-straddle');
const args = process.argv.slice(2).filter((a) => a !== '--check-straddle');
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
/** Rewrite one expression tree in place; returns the (possibly new) expression. */
function visit(e) {
  if (e === 0) return 0;
  const id = b.getExpressionId(e);
  const E = b;
  switch (id) {
    case E.BlockId:
      for (let i = 0; i < E.Block.getNumChildren(e); i++) E.Block.setChildAt(e, i, visit(E.Block.getChildAt(e, i)));
      return e;
    case E.IfId:
      E.If.setCondition(e, visit(E.If.getCondition(e)));
      E.If.setIfTrue(e, visit(E.If.getIfTrue(e)));
      if (E.If.getIfFalse(e)) E.If.setIfFalse(e, visit(E.If.getIfFalse(e)));
      return e;
    case E.LoopId:
      E.Loop.setBody(e, visit(E.Loop.getBody(e)));
      return e;
    case E.BreakId:
      if (E.Break.getCondition(e)) E.Break.setCondition(e, visit(E.Break.getCondition(e)));
      if (E.Break.getValue(e)) E.Break.setValue(e, visit(E.Break.getValue(e)));
      return e;
    case E.SwitchId:
      E.Switch.setCondition(e, visit(E.Switch.getCondition(e)));
      if (E.Switch.getValue(e)) E.Switch.setValue(e, visit(E.Switch.getValue(e)));
      return e;
    case E.CallId:
      for (let i = 0; i < E.Call.getNumOperands(e); i++) E.Call.setOperandAt(e, i, visit(E.Call.getOperandAt(e, i)));
      return e;
    case E.CallIndirectId:
      E.CallIndirect.setTarget(e, visit(E.CallIndirect.getTarget(e)));
      for (let i = 0; i < E.CallIndirect.getNumOperands(e); i++) E.CallIndirect.setOperandAt(e, i, visit(E.CallIndirect.getOperandAt(e, i)));
      return e;
    case E.LocalSetId:
      E.LocalSet.setValue(e, visit(E.LocalSet.getValue(e)));
      return e;
    case E.GlobalSetId:
      E.GlobalSet.setValue(e, visit(E.GlobalSet.getValue(e)));
      return e;
    case E.UnaryId:
      E.Unary.setValue(e, visit(E.Unary.getValue(e)));
      return e;
    case E.BinaryId:
      E.Binary.setLeft(e, visit(E.Binary.getLeft(e)));
      E.Binary.setRight(e, visit(E.Binary.getRight(e)));
      return e;
    case E.SelectId:
      E.Select.setIfTrue(e, visit(E.Select.getIfTrue(e)));
      E.Select.setIfFalse(e, visit(E.Select.getIfFalse(e)));
      E.Select.setCondition(e, visit(E.Select.getCondition(e)));
      return e;
    case E.DropId:
      E.Drop.setValue(e, visit(E.Drop.getValue(e)));
      return e;
    case E.ReturnId:
      if (E.Return.getValue(e)) E.Return.setValue(e, visit(E.Return.getValue(e)));
      return e;
    case E.SIMDExtractId:
      E.SIMDExtract.setVec(e, visit(E.SIMDExtract.getVec(e)));
      return e;
    case E.SIMDReplaceId:
      E.SIMDReplace.setVec(e, visit(E.SIMDReplace.getVec(e)));
      E.SIMDReplace.setValue(e, visit(E.SIMDReplace.getValue(e)));
      return e;
    case E.SIMDShuffleId:
      E.SIMDShuffle.setLeft(e, visit(E.SIMDShuffle.getLeft(e)));
      E.SIMDShuffle.setRight(e, visit(E.SIMDShuffle.getRight(e)));
      return e;
    case E.SIMDTernaryId:
      E.SIMDTernary.setA(e, visit(E.SIMDTernary.getA(e)));
      E.SIMDTernary.setB(e, visit(E.SIMDTernary.getB(e)));
      E.SIMDTernary.setC(e, visit(E.SIMDTernary.getC(e)));
      return e;
    case E.SIMDShiftId:
      E.SIMDShift.setVec(e, visit(E.SIMDShift.getVec(e)));
      E.SIMDShift.setShift(e, visit(E.SIMDShift.getShift(e)));
      return e;
    case E.ConstId:
    case E.LocalGetId:
    case E.GlobalGetId:
    case E.NopId:
    case E.UnreachableId:
      return e;
    // ---- memory ----------------------------------------------------------
    case E.LoadId:
      if (E.Load.isAtomic(e)) throw new Refused(`atomic load in ${fnName}`);
      E.Load.setPtr(e, translated(visit(E.Load.getPtr(e)), E.Load.getOffset(e), false, E.Load.getBytes(e)));
      E.Load.setOffset(e, 0);
      return e;
    case E.StoreId:
      if (E.Store.isAtomic(e)) throw new Refused(`atomic store in ${fnName}`);
      E.Store.setPtr(e, translated(visit(E.Store.getPtr(e)), E.Store.getOffset(e), true, E.Store.getBytes(e)));
      E.Store.setValue(e, visit(E.Store.getValue(e)));
      E.Store.setOffset(e, 0);
      return e;
    case E.SIMDLoadId:
      E.SIMDLoad.setPtr(e, translated(visit(E.SIMDLoad.getPtr(e)), E.SIMDLoad.getOffset(e), false, simdBytes(E.SIMDLoad.getOp(e))));
      E.SIMDLoad.setOffset(e, 0);
      return e;
    case E.SIMDLoadStoreLaneId: {
      const store = E.SIMDLoadStoreLane.isStore(e);
      E.SIMDLoadStoreLane.setPtr(e, translated(visit(E.SIMDLoadStoreLane.getPtr(e)), E.SIMDLoadStoreLane.getOffset(e), store, simdBytes(E.SIMDLoadStoreLane.getOp(e))));
      E.SIMDLoadStoreLane.setVec(e, visit(E.SIMDLoadStoreLane.getVec(e)));
      E.SIMDLoadStoreLane.setOffset(e, 0);
      return e;
    }
    case E.MemoryCopyId:
      return m.call(COPY, [visit(E.MemoryCopy.getDest(e)), visit(E.MemoryCopy.getSource(e)), visit(E.MemoryCopy.getSize(e))], b.none);
    case E.MemoryFillId:
      return m.call(FILL, [visit(E.MemoryFill.getDest(e)), visit(E.MemoryFill.getValue(e)), visit(E.MemoryFill.getSize(e))], b.none);
    case E.MemorySizeId:
      return m.call('__waven_size', [], i32);
    case E.MemoryGrowId:
      return m.call('__waven_grow', [visit(E.MemoryGrow.getDelta(e))], i32);
    default:
      throw new Refused(`${idName[id] ?? `expression id ${id}`} in ${fnName}: the WAVEN pass does not know how to translate it`);
  }
}

// Rewrite every defined function (helpers are added afterwards, untranslated).
const names = [];
for (let i = 0; i < m.getNumFunctions(); i++) {
  const info = b.getFunctionInfo(m.getFunctionByIndex(i));
  if (info.base === '' || info.base === undefined) names.push(info.name);
}
try {
  for (const name of names) {
    fnName = name;
    const f = m.getFunction(name);
    const info = b.getFunctionInfo(f);
    if (info.body) b.Function.setBody(f, visit(info.body));
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
  segments.push({ offset: info.offset, data: Buffer.from(new Uint8Array(info.data)).toString('base64') });
}
const memInfo = m.getMemoryInfo();
m.setMemory(memInfo.initial, 65536, null, [], false, false, '0');
m.addMemoryImport('0', 'waven', 'memory', false);
m.addCustomSection('awre.waven.segments', new TextEncoder().encode(JSON.stringify({ pages: memInfo.initial, segments })));
m.removeExport('memory');

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
b.setOptimizeLevel(3);
// Inline the translation helpers at every access (binaryen would keep the
// store helper, with its fault-flag branch, out of line at 370 call sites).
b.setAlwaysInlineMaxSize(64);
b.setShrinkLevel(0);
m.optimize();
const bytes = m.emitBinary();
writeFileSync(output, bytes);
const digest = createHash('sha256').update(bytes).digest('hex');
console.log(`${output.startsWith(root) ? output.slice(root.length + 1) : output}  ${bytes.length} bytes  sha256:${digest}`);
