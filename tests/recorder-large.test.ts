// A 100,000-tuple log (tenant boot, a real seed, call tuples, a signed
// checkpoint every 1,000 tuples) verifies without replay, with no finding;
// and its chain, profile digest, checkpoint roots, key IDs and signatures are
// the ones docs/abw34.md defines, recomputed here with node:crypto and noble
// (the writer and the verifier share tuple.ts, merkle.ts and note.ts).
// Its time is reported by `npm run bench -- recorder`, not asserted here.
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { ml_dsa65 as nobleDsa } from '@noble/post-quantum/ml-dsa.js';
import { describe, expect, it } from 'vitest';
import { ABI_VERSION } from '../abi/lengths.js';
import { Enclave, ml_dsa65, qrng, readModule } from '../host/index.js';
import { PhysicalMemory } from '../host/waven/physical.js';
import { VaultSigner } from '../recorder/attest.js';
import { MemorySink, Recorder } from '../recorder/recorder.js';
import { verifyLog } from '../recorder/verify.js';
// Every attestation signature carries this FIPS 204 context (docs/abw34.md, docs/vault.md).
const ATTEST_CTX = new TextEncoder().encode('awre-attest-v1');

describe('a large log', () => {
  it('100,000 tuples verify with no finding', async () => {
    const e = new Enclave(readModule());
    await new qrng.DrbgSeeder(qrng.openFeed('sim:1a')).boot(e, 'attest');
    const signer = new VaultSigner(e, 'awre.test/large');
    const sink = new MemorySink();
    const rec = new Recorder(sink, { profile: { module: '0'.repeat(64), abi: ABI_VERSION, mmu: 'waven', awre: '0.1.0' }, origin: signer.name, checkpointEvery: 1000 });
    const phys = new PhysicalMemory();
    rec.attach(phys);
    phys.addInstance('initiator');
    await new qrng.DrbgSeeder(qrng.openFeed('sim:1b'), { onEvent: (ev) => rec.seed(ev) }).boot(new Enclave(readModule()), 'initiator');
    // The log records the key it is signed with (the verifier checks the key given against it), then the boot checkpoint.
    rec.call('initiator', 'attest-keygen', new Uint8Array(0), signer.publicKey, 0);
    rec.setSigner(signer);
    const input = new Uint8Array(64), output = new Uint8Array(64);
    while (sink.lines.length < 100_000 - 2) {
      new DataView(input.buffer).setUint32(0, sink.lines.length);
      rec.call('initiator', 'op', input, output, 0);
    }
    await rec.halt();
    expect(sink.lines.length).toBe(100_000);
    const r = verifyLog(`${sink.lines.join('\n')}\n`, { key: signer.publicKey, verify: (s, m, k) => ml_dsa65.verify(s, m, k, { context: ATTEST_CTX }) });
    expect(r.findings).toEqual([]);
    expect(r.checkpoints).toBe(101);

    // From the doc alone.
    const sha = (...parts: (Uint8Array | string)[]) => { const h = createHash('sha256'); for (const p of parts) h.update(p); return h.digest(); };
    const leaves = sink.lines.map((l) => sha(Uint8Array.of(0), Buffer.from(l, 'utf8')));
    const memo = new Map<string, Buffer>();
    const mth = (lo: number, hi: number): Buffer => { // RFC 6962 MTH of leaves [lo, hi); aligned perfect subtrees memoised
      if (hi - lo === 1) return leaves[lo]!;
      const key = `${lo}:${hi}`;
      const got = memo.get(key);
      if (got) return got;
      let k = 1;
      while (k * 2 < hi - lo) k *= 2;
      const r = sha(Uint8Array.of(1), mth(lo, lo + k), mth(lo + k, hi));
      if ((hi - lo & (hi - lo - 1)) === 0) memo.set(key, r);
      return r;
    };
    const first = JSON.parse(sink.lines[0]!) as { boot: { profile: unknown } };
    const profile = sha(canonicalize(first.boot.profile)!).toString('hex');
    const keyId = sha(signer.name, Uint8Array.of(0x0a, 0xff), 'awre/ml-dsa-65', signer.publicKey).subarray(0, 4);
    let cps = 0;
    sink.lines.forEach((l, i) => {
      const t = JSON.parse(l) as { seq: number; t: number; profile: string; prev: string; kind: string; checkpoint?: { size: number; root: string; note: string } };
      if (t.seq !== i || t.profile !== profile || t.prev !== (i === 0 ? '0'.repeat(64) : leaves[i - 1]!.toString('hex'))) {
        expect.fail(`tuple ${i}: seq ${t.seq}, profile ${t.profile}, prev ${t.prev}`);
      }
      if (t.kind !== 'checkpoint') return;
      cps++;
      const root = mth(0, i);
      expect([t.checkpoint!.size, t.checkpoint!.root], `checkpoint @${i}`).toEqual([i, root.toString('hex')]);
      // The final checkpoint (after the halt tuple) carries awre-final (docs/abw34.md).
      const final = i === sink.lines.length - 1;
      const text = `awre.test/large\n${i}\n${root.toString('base64')}\nawre-t ${t.t}\n${final ? 'awre-final\n' : ''}`;
      expect(t.checkpoint!.note.startsWith(`${text}\n\u2014 awre.test/large `), `note @${i}`).toBe(true);
      const blob = Buffer.from(t.checkpoint!.note.slice(text.length + '\n\u2014 awre.test/large '.length, -1), 'base64');
      expect(blob.subarray(0, 4).equals(keyId), `key ID @${i}`).toBe(true);
      expect(nobleDsa.verify(blob.subarray(4), Buffer.from(text, 'utf8'), signer.publicKey, { context: ATTEST_CTX }), `signature @${i}`).toBe(true);
    });
    expect(cps).toBe(101);
  });
});
