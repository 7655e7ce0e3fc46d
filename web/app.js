// The browser page (awre serve, docs/browser.md): a self-test of known
// answers and a benchmark, both on the bundle (./awre.js) and the modules
// beside it. Plain JavaScript, served as is.
import * as awre from './awre.js';

const $ = (id) => document.getElementById(id);
const hx = (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const bx = (h) => Uint8Array.from(h.match(/../g) ?? [], (x) => parseInt(x, 16));
const seq = (n, f = (i) => i & 0xff) => Uint8Array.from({ length: n }, (_, i) => f(i));

/** Known answers (FIPS 202, SP 800-38D test case 14) and round trips that must hold. */
const CHECKS = [
  ['SHA3-256("abc") (FIPS 202 example)', () => hx(awre.sha3_256(new TextEncoder().encode('abc'))) === '3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532'],
  ['SHAKE128("", 32 bytes)', () => hx(awre.shake128(new Uint8Array(0), { dkLen: 32 })) === '7f9c2ba4e88f827d616045507605853ed73b8093f6efbc88eb1a6eacfa66ef26'],
  ['AES-256-GCM, SP 800-38D test case 14', () => hx(awre.gcm(new Uint8Array(32), new Uint8Array(12)).encrypt(new Uint8Array(16))) === 'cea7403d4d606b6e074ec5d3baf39d18d0d1c8a799996bf0265b98b5d48ab919'],
  ['AES-256-GCM refuses a changed tag', () => {
    const ct = awre.gcm(seq(32), seq(12)).encrypt(seq(100));
    ct[ct.length - 1] ^= 1;
    try { awre.gcm(seq(32), seq(12)).decrypt(ct); return false; } catch (e) { return e.code === 'AUTH_FAILED'; }
  }],
  ...[512, 768, 1024].map((n) => [`ML-KEM-${n}: decapsulation gives the encapsulated secret`, () => {
    const kem = awre[`ml_kem${n}`];
    const k = kem.keygen(seq(64, (i) => i * 7));
    const e = kem.encapsulate(k.publicKey, seq(32, (i) => 255 - i));
    return hx(kem.decapsulate(e.cipherText, k.secretKey)) === hx(e.sharedSecret);
  }]),
  ...[44, 65, 87].map((n) => [`ML-DSA-${n}: a signature verifies, a changed message does not`, () => {
    const dsa = awre[`ml_dsa${n}`];
    const k = dsa.keygen(seq(32, (i) => i * 3));
    const msg = seq(100);
    const sig = dsa.sign(msg, k.secretKey);
    msg[0] ^= 1;
    return dsa.verify(sig, seq(100), k.publicKey) && !dsa.verify(sig, msg, k.publicKey);
  }]),
  ['WAVEN: two tenants handshake (PQC1) and a frame sealed by one opens in the other', async () => {
    const pair = new awre.TenantPair();
    const seeder = new awre.qrng.DrbgSeeder(awre.qrng.openFeed('sim:5e1f'));
    await seeder.boot(pair.initiator);
    await seeder.boot(pair.responder);
    pair.makeKeys();
    const h = pair.handshake(BigInt(Date.now()));
    const r = pair.send('initiator', h, seq(64));
    return hx(r.opened) === hx(seq(64));
  }],
];

async function selfTest() {
  const body = $('tests').tBodies[0];
  body.replaceChildren();
  let failed = 0;
  for (const [name, f] of CHECKS) {
    let ok;
    try { ok = (await f()) === true; } catch (e) { ok = false; console.error(name, e); }
    if (!ok) failed++;
    row(body, [name, ok ? 'pass' : 'FAIL'], ok ? 'pass' : 'fail');
  }
  $('status').textContent = failed ? `self-test: ${failed} of ${CHECKS.length} FAILED` : `self-test: all ${CHECKS.length} passed`;
  document.body.dataset.selftest = failed ? 'failed' : 'passed';
}

/** Operations timed: each runs for about `ms` milliseconds after one warm-up call. */
function operations() {
  const kem = awre.ml_kem768, dsa = awre.ml_dsa65;
  const k = kem.keygen(seq(64)), e = kem.encapsulate(k.publicKey);
  const d = dsa.keygen(seq(32)), msg = seq(64), sig = dsa.sign(msg, d.secretKey);
  const key = seq(32), iv = seq(12), data16k = seq(16384), data1k = seq(1024);
  return [
    ['ML-KEM-768 keygen', () => kem.keygen()],
    ['ML-KEM-768 encapsulate', () => kem.encapsulate(k.publicKey)],
    ['ML-KEM-768 decapsulate', () => kem.decapsulate(e.cipherText, k.secretKey)],
    ['ML-DSA-65 sign (64 B)', () => dsa.sign(msg, d.secretKey)],
    ['ML-DSA-65 verify', () => dsa.verify(sig, msg, d.publicKey)],
    ['AES-256-GCM encrypt 16 KiB', () => awre.gcm(key, iv).encrypt(data16k)],
    ['SHA3-256 1 KiB', () => awre.sha3_256(data1k)],
  ];
}

async function bench(ms = 400) {
  const body = $('results').tBodies[0];
  body.replaceChildren();
  for (const [name, f] of operations()) {
    $('status').textContent = `benchmark: ${name}…`;
    await new Promise((r) => setTimeout(r, 0)); // let the page draw between operations
    f();
    let runs = 0;
    const t0 = performance.now();
    let t = t0;
    while (t - t0 < ms) { f(); runs++; t = performance.now(); }
    const us = ((t - t0) * 1000) / runs;
    row(body, [name, Math.round(1e6 / us).toLocaleString('en'), us.toFixed(1), String(runs)], '', [1, 2, 3]);
  }
  $('status').textContent = 'benchmark: done';
  document.body.dataset.bench = 'done';
}

function row(body, cells, cls = '', numeric = []) {
  const tr = body.insertRow();
  cells.forEach((c, i) => { const td = tr.insertCell(); td.textContent = c; if (numeric.includes(i)) td.className = 'num'; else if (i === 1 && cls) td.className = cls; });
}

async function main() {
  await awre.init();
  const f = awre.wasmFeatures();
  $('env').textContent = `module sha256 ${awre.defaultEnclave().digest.slice(0, 16)}…; wasm: ${Object.entries(f).map(([k, v]) => `${k} ${v ? 'yes' : 'no'}`).join(', ')}; ${navigator.userAgent}`;
  for (const b of ['selftest', 'bench']) $(b).disabled = false;
  $('selftest').onclick = () => selfTest();
  $('bench').onclick = () => bench();
  document.body.dataset.ready = 'yes';
  if (new URLSearchParams(location.search).has('auto')) { await selfTest(); await bench(); }
}

main().catch((e) => { $('env').textContent = `could not load the enclave: ${e.message}`; document.body.dataset.ready = 'failed'; });
