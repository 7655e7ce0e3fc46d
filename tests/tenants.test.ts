// host/tenants.ts: the two-tenant driver the CLI and the benches use, seeded
// through the QRNG feed: a handshake, frames both ways through the shared
// frames, and typed errors on misuse.
import { describe, expect, it } from 'vitest';
import * as dsa from '@noble/post-quantum/ml-dsa.js';
import { sha3_256 } from '@noble/hashes/sha3.js';
import { AwreError, qrng, TenantPair } from '../host/index.js';
import { Prng } from './helpers/prng.js';

async function seededPair(): Promise<TenantPair> {
  const pair = new TenantPair();
  const seeder = new qrng.DrbgSeeder(qrng.openFeed('sim:7e'));
  await seeder.boot(pair.initiator);
  await seeder.boot(pair.responder);
  return pair;
}

describe('TenantPair', () => {
  it('handshakes, then carries 200 frames each way; the envelope signature verifies with noble', async () => {
    const pair = await seededPair();
    const { pk } = pair.makeKeys();
    const h = pair.handshake(123n);
    const T = sha3_256(h.envelope.subarray(0, 90 + 1088));
    expect(dsa.ml_dsa65.verify(h.envelope.subarray(90 + 1088), T, pk)).toBe(true);
    const prng = new Prng('tenants/frames');
    for (let i = 0; i < 200; i++) {
      const msg = prng.bytes(i * 37 % 2000);
      const there = pair.send('initiator', h, i, msg);
      expect(there.opened).toEqual(msg);
      expect(there.sealed.length).toBe(msg.length + 16);
      expect(pair.send('responder', h, i, msg).opened).toEqual(msg);
    }
    pair.close(h);
    expect(() => pair.send('initiator', h, 0, new Uint8Array(1))).toThrow(AwreError);
  });

  it('misuse is a typed error', async () => {
    const pair = await seededPair();
    expect(() => pair.handshake(1n)).toThrow(/before makeKeys/);
    pair.makeKeys();
    const h = pair.handshake(1n);
    expect(() => pair.send('initiator', h, 0, new Uint8Array(40000))).toThrow(RangeError);
    const unseeded = new TenantPair();
    expect(() => unseeded.makeKeys()).toThrow(expect.objectContaining({ code: 'DRBG_UNSEEDED' }));
  });
});
