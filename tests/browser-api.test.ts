// The public API in real browsers (docs/browser.md): the browser bundle
// (scripts/build-browser.mjs, built here into a temporary directory from
// dist/) is served from 127.0.0.1 and driven with puppeteer-core in Debian's
// headless Chromium (CDP) and, when installed, Firefox ESR (WebDriver BiDi).
// In the page: a subset of the NIST ACVP vectors (ML-KEM keyGen, encaps,
// decaps; ML-DSA keyGen, sigGen; AES-GCM; SHA3-256, SHAKE-256), outputs for
// random seeds compared byte for byte with the same calls in Node, the QRNG
// sim: stream and conditioning (WebCrypto AES-CTR, noble hashes), and a
// two-tenant WAVEN handshake from fixed seeds compared with Node's, and the
// verifier (verifyLog, LogVerifier in 7-byte chunks, a tampered log, an Ed25519
// witness cosignature under a tlog-policy, the HTML report) compared with Node's.
// Skipped, saying why, when a browser is missing: AWRE_REQUIRE_BROWSER=1
// (Chromium) and AWRE_REQUIRE_FIREFOX=1 (Firefox) make that a failure.
import { spawnSync } from 'node:child_process';
import { createHash, createPrivateKey, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer, { type Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as awre from '../host/index.js';
import { bytesToHex, hexToBytes } from './helpers/hex.js';
import { loadAcvp } from './helpers/vectors.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function which(names: string[]): string | null {
  for (const name of names) {
    const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
    if (r.status === 0 && r.stdout.trim()) return r.stdout.trim();
  }
  return null;
}

const CHROMIUM = which(['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome']);
const FIREFOX = which(['firefox-esr', 'firefox']);
if (!CHROMIUM) {
  // CI installs Chromium first (.ci/run) and sets AWRE_REQUIRE_BROWSER: there, a missing browser fails instead of skipping.
  if (process.env['AWRE_REQUIRE_BROWSER'] === '1') throw new Error('AWRE_REQUIRE_BROWSER=1 and no chromium binary on the PATH');
  console.warn('tests/browser-api.test.ts: Chromium skipped: no chromium binary on the PATH (apt-get install chromium)');
}
if (!FIREFOX) {
  if (process.env['AWRE_REQUIRE_FIREFOX'] === '1') throw new Error('AWRE_REQUIRE_FIREFOX=1 and no firefox-esr binary on the PATH');
  console.warn('tests/browser-api.test.ts: Firefox skipped: no firefox-esr binary on the PATH (apt-get install firefox-esr)');
}

// ---- the page ---------------------------------------------------------------------

// Plain JavaScript, served as is (not transformed by the test runner).
const RUNNER = String.raw`
import * as awre from './awre.js';
const hx = (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const bx = (h) => { const o = new Uint8Array(h.length / 2); for (let i = 0; i < o.length; i++) o[i] = parseInt(h.slice(2 * i, 2 * i + 2), 16); return o; };
const KEM = { 512: awre.ml_kem512, 768: awre.ml_kem768, 1024: awre.ml_kem1024 };
const DSA = { 44: awre.ml_dsa44, 65: awre.ml_dsa65, 87: awre.ml_dsa87 };
const attempt = (f) => { try { return { ok: f() }; } catch (e) { return { err: e && e.code ? e.code : String(e) }; } };

window.runSuite = async (input) => {
  const out = {};
  // Before the module is given, the synchronous API says what is missing.
  out.beforeInit = attempt(() => hx(awre.sha3_256(new Uint8Array(1))));
  await awre.init();
  out.globals = { Buffer: typeof globalThis.Buffer, process: typeof globalThis.process };
  out.digest = awre.defaultEnclave().digest;
  out.fromUrl = (await awre.Enclave.fromUrl('./enclave.wasm')).digest;
  out.kemKeygen = input.kemKeygen.map((c) => { const k = KEM[c.level].keygen(bx(c.seed)); return [hx(k.publicKey), hx(k.secretKey)]; });
  out.kemEncaps = input.kemEncaps.map((c) => { const r = KEM[c.level].encapsulate(bx(c.ek), bx(c.m)); return [hx(r.cipherText), hx(r.sharedSecret)]; });
  out.kemDecaps = input.kemDecaps.map((c) => hx(KEM[c.level].decapsulate(bx(c.c), bx(c.dk))));
  out.dsaKeygen = input.dsaKeygen.map((c) => { const k = DSA[c.level].keygen(bx(c.seed)); return [hx(k.publicKey), hx(k.secretKey)]; });
  out.dsaSign = input.dsaSign.map((c) => hx(DSA[c.level].sign(bx(c.message), bx(c.sk), { context: bx(c.context), extraEntropy: false })));
  out.gcm = input.gcm.map((c) => c.encrypt
    ? attempt(() => hx(awre.gcm(bx(c.key), bx(c.iv), bx(c.aad), { tagLength: c.tagLength }).encrypt(bx(c.pt))))
    : attempt(() => hx(awre.gcm(bx(c.key), bx(c.iv), bx(c.aad), { tagLength: c.tagLength }).decrypt(bx(c.ct)))));
  out.sha3 = input.sha3.map((c) => hx(awre.sha3_256(bx(c.msg))));
  out.shake = input.shake.map((c) => hx(awre.shake256(bx(c.msg), { dkLen: c.outLen })));
  out.random = awre_random(input.random);
  const sim = new awre.qrng.SimSource(input.simSeed);
  out.sim = hx(await sim.read(20)) + hx(await sim.read(45));
  await sim.close();
  const cond = awre.qrng.condition(bx(input.random.raw), bx(input.random.os));
  out.condition = hx(cond);
  out.commitment = awre.qrng.commitment(7, cond);
  out.waven = await awre_waven(input.frame);
  out.component = await awre_component(input);
  out.verify = awre_verify(input.verify);
  return out;
};

// The verifier on a log's bytes: whole, pushed in 7-byte chunks, a tampered copy, with an
// Ed25519 witness's cosignature under a tlog-policy; reports as JSON, and the HTML report.
function awre_verify(v) {
  const key = awre.parseAttestationKey(v.keyFile).publicKey;
  const opts = { key, witnessPolicy: awre.parseTlogPolicy(v.policy), cosigned: v.cosigned };
  const bytes = new TextEncoder().encode(v.log);
  const whole = awre.verifyLog(bytes, opts);
  const lv = new awre.LogVerifier(opts);
  for (let i = 0; i < bytes.length; i += 7) lv.push(bytes.subarray(i, i + 7));
  const chunked = lv.end();
  const tampered = awre.verifyLog(v.tampered, opts);
  const html = awre.renderHtml({ ...whole, log: 'abw34.log', replayed: false });
  return { whole: JSON.parse(JSON.stringify(whole)), chunked: JSON.parse(JSON.stringify(chunked)), tampered: JSON.parse(JSON.stringify(tampered)), html };
}

// The WebAssembly component (build/enclave.component.wasm), as jco transpiled it, served beside the bundle.
async function awre_component(input) {
  const C = await import('./component/enclave.js');
  return {
    kemKeygen: input.kemKeygen.map((c) => { const k = C.mlKem.keygen(c.level, bx(c.seed)); return [hx(k.ek), hx(k.dk)]; }),
    kemEncaps: input.kemEncaps.map((c) => { const r = C.mlKem.encaps(c.level, bx(c.ek), bx(c.m)); return [hx(r.ct), hx(r.ss)]; }),
    kemDecaps: input.kemDecaps.map((c) => hx(C.mlKem.decaps(c.level, bx(c.dk), bx(c.c)))),
    dsaKeygen: input.dsaKeygen.map((c) => { const k = C.mlDsa.keygen(c.level, bx(c.seed)); return [hx(k.pk), hx(k.sk)]; }),
    sha3: input.sha3.map((c) => hx(C.sha3.oneshot(136, 6, bx(c.msg), 32))),
  };
}

function awre_random(r) {
  const kem = awre.ml_kem768, dsa = awre.ml_dsa65;
  const k = kem.keygen(bx(r.kemSeed));
  const e = kem.encapsulate(k.publicKey, bx(r.m));
  const d = dsa.keygen(bx(r.dsaSeed));
  const msg = bx(r.msg);
  const sig = dsa.sign(msg, d.secretKey, { extraEntropy: false });
  const sig2 = dsa.sign(msg, d.secretKey, { extraEntropy: bx(r.rnd) });
  const h = awre.sha3_512.create(); h.update(msg.subarray(0, 5)); h.update(msg.subarray(5));
  return {
    ek: hx(k.publicKey), dk: hx(k.secretKey), ct: hx(e.cipherText), ss: hx(e.sharedSecret),
    back: hx(kem.decapsulate(e.cipherText, k.secretKey)),
    pk: hx(d.publicKey), sk: hx(d.secretKey), sig: hx(sig), sig2: hx(sig2),
    verify: dsa.verify(sig, msg, d.publicKey), forged: dsa.verify(sig, msg.map((x, i) => (i === 0 ? x ^ 1 : x)), d.publicKey),
    sealed: hx(awre.gcm(bx(r.key), bx(r.nonce), bx(r.aad)).encrypt(msg)),
    sha3_512: hx(h.digest()), shake128: hx(awre.shake128(msg, { dkLen: 100 })),
    sha3_224: hx(awre.sha3_224(msg)), sha3_384: hx(awre.sha3_384(msg)),
  };
}

async function awre_waven(frame) {
  const pair = new awre.TenantPair();
  const seeder = new awre.qrng.DrbgSeeder(awre.qrng.openFeed('sim:7e'));
  await seeder.boot(pair.initiator);
  await seeder.boot(pair.responder);
  const keys = pair.makeKeys();
  const h = pair.handshake(1700000000000n);
  const a = pair.send('initiator', h, bx(frame));
  const b = pair.send('responder', h, bx(frame).reverse());
  return {
    pkI: hx(keys.initiator), pkR: hx(keys.responder), init: hx(h.init), resp: hx(h.resp), fin: hx(h.fin), id: hx(h.id),
    sealedA: hx(a.sealed), openedA: hx(a.opened), sealedB: hx(b.sealed), openedB: hx(b.opened),
    tablesI: pair.physical.spaces.tables('initiator').hashes(), tablesR: pair.physical.spaces.tables('responder').hashes(),
  };
}
window.ready = true;
`;

const PAGE = '<!doctype html><meta charset="utf-8"><title>awre</title><script type="module" src="./runner.js"></script>';

// ---- inputs and what Node gives for them ----------------------------------------------

const hex = bytesToHex;
const bx = hexToBytes;
const KEM = { 512: awre.ml_kem512, 768: awre.ml_kem768, 1024: awre.ml_kem1024 } as const;
const DSA = { 44: awre.ml_dsa44, 65: awre.ml_dsa65, 87: awre.ml_dsa87 } as const;
const level = (set: string) => Number(set.split('-').pop()) as never;

type Tests<T> = { testGroups: { tgId: number; parameterSet: string; function?: string; tests: T[] }[] };
const firstOf = <T>(file: Tests<T>, per: number, pick: (g: Tests<T>['testGroups'][number]) => boolean = () => true) =>
  file.testGroups.filter(pick).flatMap((g) => g.tests.slice(0, per).map((t) => ({ g, t })));

function gunzipJson<T>(path: string): T {
  return JSON.parse(spawnSync('gzip', ['-dc', path], { encoding: 'utf8', maxBuffer: 1 << 28 }).stdout) as T;
}

function inputs() {
  const kg = loadAcvp<never>('ML-KEM-keyGen-FIPS203') as unknown as Tests<{ d: string; z: string; ek: string; dk: string }>;
  const ed = loadAcvp<never>('ML-KEM-encapDecap-FIPS203') as unknown as Tests<{ ek?: string; dk?: string; c?: string; k?: string; m?: string }>;
  const dk = loadAcvp<never>('ML-DSA-keyGen-FIPS204') as unknown as Tests<{ seed: string; pk: string; sk: string }>;
  const sgDir = join(ROOT, 'tests', 'vectors', 'ML-DSA-sigGen-FIPS204');
  const sgPrompt = gunzipJson<{ testGroups: { tgId: number; parameterSet: string; deterministic: boolean; signatureInterface: string; preHash?: string; tests: { tcId: number; message: string; sk: string; context: string }[] }[] }>(join(sgDir, 'prompt.json.gz'));
  const sgExpected = gunzipJson<{ testGroups: { tgId: number; tests: { tcId: number; signature: string }[] }[] }>(join(sgDir, 'expectedResults.json.gz'));
  const gcm = loadAcvp<never>('ACVP-AES-GCM-1.0') as unknown as { testGroups: { tgId: number; direction: string; tagLen: number; tests: { tcId: number; testPassed?: boolean; pt?: string; key: string; aad: string; iv: string; ct: string; tag: string }[] }[] };
  const sha = loadAcvp<never>('SHA3-256-2.0') as unknown as { testGroups: { testType: string; tests: { msg: string; len: number; md: string }[] }[] };
  const shake = loadAcvp<never>('SHAKE-256-FIPS202') as unknown as { testGroups: { testType: string; tests: { msg: string; len: number; md: string; outLen: number }[] }[] };

  const kemKeygen = firstOf(kg, 2).map(({ g, t }) => ({ level: level(g.parameterSet), seed: t.d + t.z, want: [t.ek, t.dk].map((s) => s.toLowerCase()) }));
  const kemEncaps = firstOf(ed, 2, (g) => g.function === 'encapsulation').map(({ g, t }) => ({ level: level(g.parameterSet), ek: t.ek!, m: t.m!, want: [t.c!, t.k!].map((s) => s.toLowerCase()) }));
  const kemDecaps = firstOf(ed, 3, (g) => g.function === 'decapsulation').map(({ g, t }) => ({ level: level(g.parameterSet), c: t.c!, dk: t.dk!, want: t.k!.toLowerCase() }));
  const dsaKeygen = firstOf(dk, 2).map(({ g, t }) => ({ level: level(g.parameterSet), seed: t.seed, want: [t.pk, t.sk].map((s) => s.toLowerCase()) }));
  const dsaSign = sgPrompt.testGroups
    .filter((g) => g.deterministic && g.signatureInterface === 'external' && g.preHash === 'pure')
    .flatMap((g) => g.tests.slice(0, 2).map((t) => ({
      level: level(g.parameterSet), message: t.message, sk: t.sk, context: t.context,
      want: sgExpected.testGroups.find((e) => e.tgId === g.tgId)!.tests.find((e) => e.tcId === t.tcId)!.signature.toLowerCase(),
    })));
  const gcmCases = gcm.testGroups.flatMap((g) => g.tests.slice(0, 4).map((t) => g.direction === 'encrypt'
    ? { encrypt: true, key: t.key, iv: t.iv, aad: t.aad, pt: t.pt!, tagLength: g.tagLen / 8, want: { ok: (t.ct + t.tag).toLowerCase() } }
    : { encrypt: false, key: t.key, iv: t.iv, aad: t.aad, ct: t.ct + t.tag, tagLength: g.tagLen / 8, want: t.testPassed ? { ok: (t.pt ?? '').toLowerCase() } : { err: 'AUTH_FAILED' } }));
  const sha3 = sha.testGroups.filter((g) => g.testType === 'AFT').flatMap((g) => g.tests.filter((t) => t.len % 8 === 0).slice(0, 6))
    .map((t) => ({ msg: t.msg.slice(0, t.len / 4), want: t.md.toLowerCase() }));
  const shakeCases = shake.testGroups.filter((g) => g.testType === 'AFT').flatMap((g) => g.tests.filter((t) => t.len % 8 === 0 && t.outLen % 8 === 0).slice(0, 6))
    .map((t) => ({ msg: t.msg.slice(0, t.len / 4), outLen: t.outLen / 8, want: t.md.toLowerCase() }));

  const r = (n: number) => hex(randomBytes(n));
  const random = { kemSeed: r(64), m: r(32), dsaSeed: r(32), msg: r(77), rnd: r(32), key: r(32), nonce: r(12), aad: r(9), raw: r(70), os: r(48) };
  return { kemKeygen, kemEncaps, kemDecaps, dsaKeygen, dsaSign, gcm: gcmCases, sha3, shake: shakeCases, random, simSeed: r(16), frame: r(300), verify: logToVerify() };
}

/**
 * A log for the verifier: a reproducible run (awre run --deterministic), a copy with one hex digit
 * of a call tuple changed, and the final checkpoint cosigned by an Ed25519 witness (tlog-cosignature
 * type 0x04, made here with node:crypto) under a tlog-policy that asks for it.
 */
function logToVerify() {
  const out = join(dir, 'run');
  const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'host', 'cli', 'main.js'), 'run', '--out', out, '--qrng', 'sim:c0ffee00', '--deterministic', '--sessions', '2', '--frames', '4', '--frame-bytes', '64'], { encoding: 'utf8', timeout: 240_000 });
  if (r.status !== 0) throw new Error(`awre run: ${r.stderr}`);
  const log = readFileSync(join(out, 'abw34.log'), 'utf8');
  const lines = log.split('\n');
  const at = lines.findIndex((l) => l.includes('"kind":"call"'));
  lines[at] = lines[at]!.replace(/"out":"(.)/, (_m, c: string) => `"out":"${c === '0' ? '1' : '0'}`);
  const tampered = lines.join('\n');
  const note = (JSON.parse(lines.filter((l) => l !== '').pop()!) as { checkpoint: { note: string } }).checkpoint.note;
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const pk = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }).subarray(-32));
  const typed = new Uint8Array([0x04, ...pk]);
  const keyId = createHash('sha256').update('w1\n').update(typed).digest().subarray(0, 4);
  const text = note.slice(0, note.indexOf('\n\n') + 1);
  const ts = 1_700_000_000n;
  const tsb = Buffer.alloc(8);
  tsb.writeBigUInt64BE(ts);
  const sig = sign(null, Buffer.from(`cosignature/v1\ntime ${ts}\n${text}`), createPrivateKey(privateKey.export({ format: 'pem', type: 'pkcs8' })));
  const cosigned = `${note}\u2014 w1 ${Buffer.concat([keyId, tsb, sig]).toString('base64')}\n`;
  const policy = `witness w1 w1+${keyId.toString('hex')}+${Buffer.from(typed).toString('base64')}\nquorum w1\n`;
  return { log, tampered, keyFile: readFileSync(join(out, 'attestation.pub.json'), 'utf8'), policy, cosigned };
}

type Input = ReturnType<typeof inputs>;

/** What the page must return, computed by the same API in this (Node) process. */
async function expected(input: Input) {
  const rr = input.random;
  const k = awre.ml_kem768.keygen(bx(rr.kemSeed));
  const e = awre.ml_kem768.encapsulate(k.publicKey, bx(rr.m));
  const d = awre.ml_dsa65.keygen(bx(rr.dsaSeed));
  const msg = bx(rr.msg);
  const sig = awre.ml_dsa65.sign(msg, d.secretKey, { extraEntropy: false });
  const random = {
    ek: hex(k.publicKey), dk: hex(k.secretKey), ct: hex(e.cipherText), ss: hex(e.sharedSecret), back: hex(e.sharedSecret),
    pk: hex(d.publicKey), sk: hex(d.secretKey), sig: hex(sig), sig2: hex(awre.ml_dsa65.sign(msg, d.secretKey, { extraEntropy: bx(rr.rnd) })),
    verify: true, forged: false,
    sealed: hex(awre.gcm(bx(rr.key), bx(rr.nonce), bx(rr.aad)).encrypt(msg)),
    sha3_512: hex(awre.sha3_512(msg)), shake128: hex(awre.shake128(msg, { dkLen: 100 })),
    sha3_224: hex(awre.sha3_224(msg)), sha3_384: hex(awre.sha3_384(msg)),
  };
  const sim = new awre.qrng.SimSource(input.simSeed);
  const simOut = hex(await sim.read(20)) + hex(await sim.read(45));
  await sim.close();
  const cond = awre.qrng.condition(bx(rr.raw), bx(rr.os));

  const pair = new awre.TenantPair();
  const seeder = new awre.qrng.DrbgSeeder(awre.qrng.openFeed('sim:7e'));
  await seeder.boot(pair.initiator);
  await seeder.boot(pair.responder);
  const keys = pair.makeKeys();
  const h = pair.handshake(1_700_000_000_000n);
  const a = pair.send('initiator', h, bx(input.frame));
  const b = pair.send('responder', h, bx(input.frame).reverse());
  const waven = {
    pkI: hex(keys.initiator), pkR: hex(keys.responder), init: hex(h.init), resp: hex(h.resp), fin: hex(h.fin), id: hex(h.id),
    sealedA: hex(a.sealed), openedA: hex(a.opened), sealedB: hex(b.sealed), openedB: hex(b.opened),
    tablesI: pair.physical.spaces.tables('initiator').hashes(), tablesR: pair.physical.spaces.tables('responder').hashes(),
  };
  const v = input.verify;
  const vopts = { key: awre.parseAttestationKey(v.keyFile).publicKey, witnessPolicy: awre.parseTlogPolicy(v.policy), cosigned: v.cosigned };
  const whole = awre.verifyLog(v.log, vopts);
  // The page must find what Node finds; and what Node finds must be right (so equal cannot mean equally wrong).
  expect(whole.ok, JSON.stringify(whole.findings)).toBe(true);
  expect(whole.guarantees.witnessed).toEqual({ by: ['w1'], of: 1, quorum: true });
  const tampered = awre.verifyLog(v.tampered, vopts);
  expect(tampered.ok).toBe(false);
  expect(tampered.findings.map((f) => f.event)).toContain('prev-mismatch');
  const json = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;
  return {
    verify: { whole: json(whole), chunked: json(whole), tampered: json(tampered), html: awre.renderHtml({ ...whole, log: 'abw34.log', replayed: false }) },
    beforeInit: { err: 'MODULE_NOT_FOUND' },
    globals: { Buffer: 'undefined', process: 'undefined' },
    digest: awre.moduleDigest(awre.readModule()),
    fromUrl: awre.moduleDigest(awre.readModule()),
    kemKeygen: input.kemKeygen.map((c) => c.want),
    kemEncaps: input.kemEncaps.map((c) => c.want),
    kemDecaps: input.kemDecaps.map((c) => c.want),
    dsaKeygen: input.dsaKeygen.map((c) => c.want),
    dsaSign: input.dsaSign.map((c) => c.want),
    gcm: input.gcm.map((c) => c.want),
    sha3: input.sha3.map((c) => c.want),
    shake: input.shake.map((c) => c.want),
    random,
    sim: simOut,
    condition: hex(cond),
    commitment: awre.qrng.commitment(7, cond),
    waven,
    // The component gives the ACVP answers the module gives (the same `want`s).
    component: {
      kemKeygen: input.kemKeygen.map((c) => c.want),
      kemEncaps: input.kemEncaps.map((c) => c.want),
      kemDecaps: input.kemDecaps.map((c) => c.want),
      dsaKeygen: input.dsaKeygen.map((c) => c.want),
      sha3: input.sha3.map((c) => c.want),
    },
  };
}

// ---- serving and driving ----------------------------------------------------------------

const dir = mkdtempSync(join(tmpdir(), 'awre-browser-'));
let server: Server | undefined;
let origin = '';
let input: Input;
let want: Awaited<ReturnType<typeof expected>>;
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm' };

beforeAll(async () => {
  if (!CHROMIUM && !FIREFOX) return;
  if (!existsSync(join(ROOT, 'dist', 'host', 'index.js'))) throw new Error('dist/ missing: run `npm run build` (the bundle is made from dist/)');
  const { buildBrowser } = (await import(join(ROOT, 'scripts', 'build-browser.mjs'))) as { buildBrowser(o: { outdir: string }): Promise<unknown> };
  await buildBrowser({ outdir: dir });
  // jco's transpilation of the component (npm run build): its JS and core module, fetched by the page.
  cpSync(join(ROOT, 'build', 'component'), join(dir, 'component'), { recursive: true });
  writeFileSync(join(dir, 'runner.js'), RUNNER);
  writeFileSync(join(dir, 'index.html'), PAGE);
  server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^\/+/, '') || 'index.html';
    const file = join(dir, path);
    if (path.startsWith('..') || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise<void>((ok) => server!.listen(0, '127.0.0.1', ok));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  input = inputs();
  // A subset of each file, never an empty one (a renamed field would otherwise pass vacuously).
  expect(Object.fromEntries(['kemKeygen', 'kemEncaps', 'kemDecaps', 'dsaKeygen', 'dsaSign', 'gcm', 'sha3', 'shake'].map((k) => [k, (input[k as 'gcm'].length > 0)])))
    .toEqual({ kemKeygen: true, kemEncaps: true, kemDecaps: true, dsaKeygen: true, dsaSign: true, gcm: true, sha3: true, shake: true });
  expect(input.gcm.some((c) => 'err' in c.want), 'a forged GCM case').toBe(true);
  want = await expected(input);
});

afterAll(async () => {
  await new Promise((ok) => (server ? server.close(ok) : ok(undefined)));
  rmSync(dir, { recursive: true, force: true });
});

async function runIn(browser: Browser): Promise<unknown> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${origin}/index.html`);
  await page.waitForFunction('window.ready === true', { timeout: 120_000 });
  const got = await page.evaluate(`window.runSuite(${JSON.stringify(input)})`);
  expect(errors).toEqual([]);
  return got;
}

/** Each part compared on its own, so a failure names the part. */
function compare(got: Record<string, unknown>): void {
  for (const key of Object.keys(want) as (keyof typeof want)[]) expect(got[key], key).toEqual(want[key]);
  expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
}

describe.skipIf(!CHROMIUM)('Chromium (headless, CDP)', () => {
  it('ACVP subset, random seeds against Node, QRNG sim stream, two-tenant WAVEN handshake, the verifier on a log', async () => {
    const browser = await puppeteer.launch({
      executablePath: CHROMIUM!, headless: true, userDataDir: join(dir, 'chromium-profile'),
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-extensions'],
    });
    try {
      compare((await runIn(browser)) as Record<string, unknown>);
    } finally {
      await browser.close();
    }
  });
});

describe.skipIf(!FIREFOX)('Firefox (headless, WebDriver BiDi)', () => {
  it('ACVP subset, random seeds against Node, QRNG sim stream, two-tenant WAVEN handshake, the verifier on a log', async () => {
    const browser = await puppeteer.launch({
      browser: 'firefox', executablePath: FIREFOX!, headless: true, userDataDir: join(dir, 'firefox-profile'),
    });
    try {
      compare((await runIn(browser)) as Record<string, unknown>);
    } finally {
      await browser.close();
    }
  });
});
