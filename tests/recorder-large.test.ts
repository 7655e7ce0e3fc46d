// A 100,000-tuple log (tenant boot, a real seed, call tuples, a signed
// checkpoint every 1,000 tuples) verifies without replay, with no finding.
// Its time is reported by `npm run bench -- recorder`, not asserted here.
import { describe, expect, it } from 'vitest';
import { ABI_VERSION } from '../abi/lengths.js';
import { Enclave, ml_dsa65, qrng, readModule } from '../host/index.js';
import { PhysicalMemory } from '../host/waven/physical.js';
import { VaultSigner } from '../recorder/attest.js';
import { MemorySink, Recorder } from '../recorder/recorder.js';
import { verifyLog } from '../recorder/verify.js';

describe('a large log', () => {
  it('100,000 tuples verify with no finding', async () => {
    const e = new Enclave(readModule());
    await new qrng.DrbgSeeder(qrng.openFeed('sim:1a')).boot(e, 'attest');
    const signer = new VaultSigner(e, 'awre.test/large');
    const sink = new MemorySink();
    const rec = new Recorder(sink, { profile: { module: '0'.repeat(64), abi: ABI_VERSION, mmu: 'waven', awre: '0.1.0' }, origin: signer.name, checkpointEvery: 1000 });
    rec.setSigner(signer);
    const phys = new PhysicalMemory();
    rec.attach(phys);
    phys.addInstance('initiator');
    await new qrng.DrbgSeeder(qrng.openFeed('sim:1b'), { onEvent: (ev) => rec.seed(ev) }).boot(new Enclave(readModule()), 'initiator');
    const input = new Uint8Array(64), output = new Uint8Array(64);
    while (sink.lines.length < 100_000 - 2) {
      new DataView(input.buffer).setUint32(0, sink.lines.length);
      rec.call('initiator', 'op', input, output, 0);
    }
    await rec.halt();
    expect(sink.lines.length).toBe(100_000);
    const r = verifyLog(`${sink.lines.join('\n')}\n`, { key: signer.publicKey, verify: (s, m, k) => ml_dsa65.verify(s, m, k) });
    expect(r.findings).toEqual([]);
    expect(r.checkpoints).toBe(101);
  });
});
