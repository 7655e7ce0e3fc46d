// The node identity (recorder/node.ts, assembly/vault.ts seal/unseal,
// docs/trust.md "Sealing"): awre init's files and modes; the sealed file
// opened independently from the documented format (SHAKE256 key, AES-256-GCM
// with node:crypto, noble ML-DSA); identity signatures under their own
// context; usages kept apart; every way the sealed file can fail to open is a
// typed error and never a new identity.
import { createDecipheriv, createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import canonicalize from 'canonicalize';
import { shake256 } from '@noble/hashes/sha3.js';
import { ml_dsa65 } from '@noble/post-quantum/ml-dsa.js';
import { describe, expect, it } from 'vitest';
import * as S from '../abi/status.js';
import { Enclave, moduleDigest, readModule } from '../host/index.js';
import { AwreError } from '../host/errors.js';
import { IDENTITY_CONTEXT, initNode, nodePaths, OpenNode, parseNodeIdentity, USAGE_IDENTITY } from '../recorder/node.js';
import { Prng } from './helpers/prng.js';

const MODULE = readModule('enclave.waven.wasm');
const MEASUREMENT = moduleDigest(MODULE);

function enclave(label: string): Enclave {
  const e = new Enclave(MODULE, { mmu: 'waven' });
  e.put(0, new Prng(`node/${label}`).bytes(48));
  expect(e.exports.drbg_instantiate(e.io, 48, e.io, 0, e.io, 0)).toBe(0);
  e.wipe(0, 48);
  return e;
}

function newNode(label: string): { dir: string; pk: Uint8Array } {
  const dir = join(mkdtempSync(join(tmpdir(), 'awre-node-')), 'node');
  const id = initNode(enclave(label), dir, 'awre.test/node', MEASUREMENT);
  return { dir, pk: id.publicKey };
}

const code = (f: () => unknown) => { try { f(); } catch (e) { return e instanceof AwreError ? e.code : `not AwreError: ${(e as Error).message}`; } return 'no error'; };

describe('awre init: the node directory', () => {
  it('writes the platform secret and the sealed identity mode 0600, the public identity for auditors, and refuses to run twice', () => {
    const { dir, pk } = newNode('files');
    const p = nodePaths(dir);
    expect(statSync(p.secret).mode & 0o777).toBe(0o600);
    expect(statSync(p.sealed).mode & 0o777).toBe(0o600);
    expect(statSync(p.secret).size).toBe(32);
    expect(parseNodeIdentity(readFileSync(p.pub, 'utf8'))).toEqual({ name: 'awre.test/node', publicKey: pk });
    expect(code(() => initNode(enclave('again'), dir, 'awre.test/node', MEASUREMENT))).toBe('NODE_EXISTS');
    expect(parseNodeIdentity(readFileSync(p.pub, 'utf8')).publicKey).toEqual(pk); // unchanged
  });

  it('the sealed file opens from the documented format alone: K_seal = SHAKE256("awre-seal-v1" 0x00 || secret || measurement), AES-256-GCM over sk || pk, aad = header || state JSON', () => {
    const { dir, pk } = newNode('format');
    const p = nodePaths(dir);
    const secret = readFileSync(p.secret);
    const f = JSON.parse(readFileSync(p.sealed, 'utf8')) as Record<string, unknown> & { sealed: string; measurement: string };
    expect(f.measurement).toBe(MEASUREMENT);
    const blob = Buffer.from(f.sealed, 'base64');
    expect(blob.subarray(0, 4).toString('latin1')).toBe('AWSL');
    expect([blob[4], blob[5], blob.readUInt16LE(6)]).toEqual([1, USAGE_IDENTITY, 65]);
    const key = shake256(new Uint8Array([...Buffer.from('awre-seal-v1'), 0, ...secret, ...Buffer.from(MEASUREMENT, 'hex')]), { dkLen: 32 });
    const { sealed: _s, ...rest } = f;
    const aad = Buffer.concat([blob.subarray(0, 20), Buffer.from(canonicalize(rest)!)]);
    const d = createDecipheriv('aes-256-gcm', key, blob.subarray(8, 20));
    d.setAAD(aad);
    d.setAuthTag(blob.subarray(blob.length - 16));
    const body = Buffer.concat([d.update(blob.subarray(20, blob.length - 16)), d.final()]);
    expect(body.length).toBe(4032 + 1952);
    const sk = new Uint8Array(body.subarray(0, 4032));
    expect(new Uint8Array(body.subarray(4032))).toEqual(pk);
    // The sealed sk is the identity's: it signs under the identity context, and noble verifies with pk.
    const msg = new TextEncoder().encode('certificate');
    expect(ml_dsa65.verify(ml_dsa65.sign(msg, sk, { context: IDENTITY_CONTEXT }), msg, pk, { context: IDENTITY_CONTEXT })).toBe(true);
    sk.fill(0);
  });

  it('opens into a vault; signs only under "awre-identity-v1"; no other export signs with it, and no other key can be sealed', () => {
    const { dir, pk } = newNode('sign');
    const e = enclave('sign/open');
    const n = OpenNode.open(e, dir, MEASUREMENT);
    expect(n.publicKey).toEqual(pk);
    expect(n.state).toEqual({ runs: 0, last: null });
    const msg = new TextEncoder().encode('a run certificate');
    const sig = n.sign(msg);
    expect(ml_dsa65.verify(sig, msg, pk, { context: IDENTITY_CONTEXT })).toBe(true);
    expect(ml_dsa65.verify(sig, msg, pk, { context: new TextEncoder().encode('awre-attest-v1') })).toBe(false);
    const x = e.exports;
    e.put(0, new Uint8Array(64));
    expect(x.vault_dsa_sign(n.handle, e.io, e.io + 64)).toBe(S.ERR_USAGE);
    expect(x.vault_attest_sign(n.handle, e.io, 8, e.io + 64)).toBe(S.ERR_USAGE);
    const attest = x.vault_dsa_keygen(65, 2);
    expect(x.vault_identity_sign(attest, e.io, 8, e.io + 64)).toBe(S.ERR_USAGE);
    expect(x.vault_seal(attest, e.io, e.io, 0, e.io + 1024, 8000)).toBe(S.ERR_USAGE);
    expect(x.vault_seal(x.vault_kem_keygen(768), e.io, e.io, 0, e.io + 1024, 8000)).toBe(S.ERR_HANDLE_TYPE);
    n.close();
    expect(x.vault_identity_sign(n.handle, e.io, 8, e.io + 64)).toBe(S.ERR_HANDLE);
  });

  it('every way the sealed file can fail to open is NODE_SEALED_INVALID or NODE_MISSING, never a new identity', () => {
    const { dir } = newNode('fail');
    const p = nodePaths(dir);
    const good = readFileSync(p.sealed, 'utf8');
    const secret = readFileSync(p.secret);
    const open = () => OpenNode.open(enclave('fail/open'), dir, MEASUREMENT);
    const f = JSON.parse(good) as { sealed: string; state: { runs: number }; name: string };
    const cases: [string, () => void][] = [
      ['a bit of the sealed key flipped', () => { const b = Buffer.from(f.sealed, 'base64'); b[100]! ^= 1; writeFileSync(p.sealed, JSON.stringify({ ...f, sealed: b.toString('base64') })); }],
      ['the tag flipped', () => { const b = Buffer.from(f.sealed, 'base64'); b[b.length - 1]! ^= 1; writeFileSync(p.sealed, JSON.stringify({ ...f, sealed: b.toString('base64') })); }],
      ['the run counter edited (rollback of the state alone)', () => writeFileSync(p.sealed, JSON.stringify({ ...f, state: { ...f.state, runs: 7 } }))],
      ['the name edited', () => writeFileSync(p.sealed, JSON.stringify({ ...f, name: 'awre.test/other' }))],
      ['truncated', () => writeFileSync(p.sealed, good.slice(0, 200))],
      ['an extra member', () => writeFileSync(p.sealed, JSON.stringify({ ...f, note: 'x' }))],
      ['another machine\'s platform secret', () => writeFileSync(p.secret, new Prng('node/other-secret').bytes(32))],
      ['a short platform secret', () => writeFileSync(p.secret, secret.subarray(0, 31))],
    ];
    for (const [what, spoil] of cases) {
      spoil();
      expect(code(open), what).toBe('NODE_SEALED_INVALID');
      writeFileSync(p.sealed, good);
      writeFileSync(p.secret, secret);
    }
    // Another module cannot unseal it (its measurement differs).
    expect(code(() => OpenNode.open(enclave('fail/module'), dir, '0'.repeat(64)))).toBe('NODE_SEALED_INVALID');
    expect(code(() => OpenNode.open(enclave('fail/missing'), join(dir, 'nothing'), MEASUREMENT))).toBe('NODE_MISSING');
    expect(code(open)).toBe('no error');
  });

  it('the run state is sealed: saved states reopen; the vault holds nothing after close', () => {
    const { dir } = newNode('state');
    const e = enclave('state/open');
    const n = OpenNode.open(e, dir, MEASUREMENT);
    const note = createHash('sha256').update('final checkpoint').digest('hex');
    n.save({ runs: 1, last: null });
    n.save({ runs: 1, last: { run: 1, note } });
    n.close();
    const again = OpenNode.open(enclave('state/again'), dir, MEASUREMENT);
    expect(again.state).toEqual({ runs: 1, last: { run: 1, note } });
    again.close();
  });

  it('one open at a time: a second open while the first is live is NODE_BUSY; a lock left by a dead process is taken over', () => {
    const { dir } = newNode('lock');
    const a = OpenNode.open(enclave('lock/a'), dir, MEASUREMENT);
    expect(code(() => OpenNode.open(enclave('lock/b'), dir, MEASUREMENT))).toBe('NODE_BUSY');
    a.close();
    const b = OpenNode.open(enclave('lock/c'), dir, MEASUREMENT);
    b.close();
    // A crashed run's lock: its process is gone.
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(join(dir, 'node.lock'), `${dead.stdout}\n`);
    const c = OpenNode.open(enclave('lock/d'), dir, MEASUREMENT);
    expect(readFileSync(join(dir, 'node.lock'), 'utf8')).toBe(`${process.pid}\n`);
    c.close();
    expect(existsSync(join(dir, 'node.lock'))).toBe(false);
  });
});
