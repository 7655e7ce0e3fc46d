// host/codec.ts: the byte encodings the verifier uses in Node and in browsers
// alike, checked against Node's Buffer and node:buffer on random inputs.
import { isUtf8 as nodeIsUtf8 } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareBytes, equalBytes, fromBase64, fromCanonicalBase64, fromHex, isUtf8, latin1, latin1Text, toBase64, toHex, utf8, utf8Length, utf8Text } from '../host/codec.js';
import { CompactTree } from '../recorder/merkle.js';
import { WasmTree, streamingTree } from '../recorder/merkle-wasm.js';

const bytes = fc.uint8Array({ maxLength: 300 });

describe('host/codec', () => {
  it('hex and base64 give what Buffer gives, and decode back', () => {
    fc.assert(fc.property(bytes, (b) => {
      const buf = Buffer.from(b);
      expect(toHex(b)).toBe(buf.toString('hex'));
      expect(toBase64(b)).toBe(buf.toString('base64'));
      expect(fromHex(toHex(b))).toEqual(b);
      expect(fromBase64(toBase64(b))).toEqual(b);
      expect(fromCanonicalBase64(toBase64(b))).toEqual(b);
      // Unpadded, as Buffer decodes it.
      const bare = toBase64(b).replace(/=+$/, '');
      expect(fromBase64(bare)).toEqual(new Uint8Array(Buffer.from(bare, 'base64')));
    }), { numRuns: 2000, seed: 16 });
  });

  it('base64 text in the alphabet of any length decodes as Buffer does; other characters are a TypeError', () => {
    fc.assert(fc.property(fc.stringMatching(/^[A-Za-z0-9+/]{0,40}={0,2}$/), (s) => {
      expect(fromBase64(s)).toEqual(new Uint8Array(Buffer.from(s, 'base64')));
    }), { numRuns: 2000, seed: 17 });
    for (const bad of ['AA-A', 'AA_A', 'AA A', 'A=AA', 'é===']) expect(() => fromBase64(bad), bad).toThrow(TypeError);
    // Not canonical: trailing bits set, missing padding, a line break.
    for (const s of ['AB==', 'AA', 'AAAA\n']) expect(fromCanonicalBase64(s), s).toBeUndefined();
    expect(() => fromHex('abc')).toThrow(TypeError);
    expect(() => fromHex('zz')).toThrow(TypeError);
  });

  it('isUtf8 agrees with node:buffer isUtf8 on random and on near-UTF-8 bytes (overlong, surrogates, above U+10FFFF, truncated)', () => {
    fc.assert(fc.property(bytes, (b) => { expect(isUtf8(b)).toBe(nodeIsUtf8(b)); }), { numRuns: 3000, seed: 18 });
    const nearly = fc.array(fc.oneof(
      fc.constantFrom([0x41], [0xc3, 0xa9], [0xe2, 0x82, 0xac], [0xf0, 0x9f, 0x98, 0x80], [0xc0, 0xaf], [0xe0, 0x80, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82], [0xef, 0xbb, 0xbf], [0xff]),
    ), { maxLength: 12 }).map((parts) => new Uint8Array(parts.flat()));
    fc.assert(fc.property(nearly, (b) => { expect(isUtf8(b)).toBe(nodeIsUtf8(b)); }), { numRuns: 3000, seed: 19 });
  });

  it('utf8, utf8Text, utf8Length and latin1 agree with Buffer', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (s) => {
      expect(utf8(s)).toEqual(new Uint8Array(Buffer.from(s, 'utf8')));
      expect(utf8Length(s)).toBe(Buffer.byteLength(s, 'utf8'));
      expect(utf8Text(utf8(s))).toBe(Buffer.from(s, 'utf8').toString('utf8'));
    }), { numRuns: 2000, seed: 20 });
    fc.assert(fc.property(bytes, fc.nat(300), fc.nat(300), (b, x, y) => {
      const [s, e] = [Math.min(x, y, b.length), Math.min(Math.max(x, y), b.length)];
      expect(latin1Text(b, s, e)).toBe(Buffer.from(b).toString('latin1', s, e));
      expect(latin1(latin1Text(b))).toEqual(b);
      expect(utf8Text(b, s, e)).toBe(Buffer.from(b).toString('utf8', s, e));
    }), { numRuns: 2000, seed: 21 });
    expect(latin1Text(new Uint8Array(20000).fill(0x61))).toBe('a'.repeat(20000));
  });

  it('equalBytes and compareBytes order as Buffer.compare', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 4 }), fc.uint8Array({ maxLength: 4 }), (a, b) => {
      expect(Math.sign(compareBytes(a, b))).toBe(Buffer.compare(a, b));
      expect(equalBytes(a, b)).toBe(Buffer.compare(a, b) === 0);
    }), { numRuns: 3000, seed: 22 });
  });
});

describe('the verifier\'s tree where build/merkle.wasm cannot be had (a browser without setModule)', () => {
  it('streamingTree is WasmTree in Node, and CompactTree gives its roots at every size', () => {
    expect(streamingTree()).toBeInstanceOf(WasmTree);
    const w = new WasmTree();
    const c = new CompactTree();
    for (let n = 1; n <= 5000; n++) {
      const leaf = new Uint8Array(32).fill(n & 0xff);
      leaf[0] = n >> 8;
      w.append(leaf);
      c.append(leaf);
      if (n < 70 || n % 997 === 0 || n === 4096 || n === 5000) expect(toHex(c.root()), `size ${n}`).toBe(toHex(w.root()));
    }
  });
});
