// Golden outputs of every kernel, from fixed inputs, under both MMU modes.
//
// Shared by scripts/golden.mjs (plain Node, any binary: the platform lines of
// scripts/platforms.sh, arm64 Node under qemu-user, a Raspberry Pi) and
// tests/golden.test.ts (vitest). Plain ESM that imports only node: built-ins
// and the built package (dist/), so it needs neither vitest nor TypeScript.
//
// The noble-compatible API runs on the process-wide enclave, which
// AWRE_MMU picks once per thread (host/enclave/enclave.ts defaultEnclave). So
// each mode runs in its own worker thread, started with AWRE_MMU=off or
// AWRE_MMU=waven; the two run in parallel.
//
// The result is one entry per operation, parameter set and mode:
// "<mode>/<name>" -> SHA-256 (hex) of the operation's output bytes (several
// outputs are each framed with a 4-byte big-endian length). Inputs come from
// SHA-256 in counter mode over a label (node:crypto), never from the kernels
// under test. Invariants that must hold whatever the bytes (decapsulation
// gives the encapsulated secret, a tampered ciphertext is rejected, GCM
// round-trips, a tampered signature does not verify, ...) are checked as we
// go and reported as problems.
import { createHash } from 'node:crypto';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

export const MODES = /** @type {const} */ (['off', 'waven']);

/** Lengths of the messages hashed and encrypted (0, 1, block edges, several I/O-window chunks). */
export const GCM_LENGTHS = [0, 1, 16, 1000, 70000];
export const HASH_LENGTHS = [0, 1, 136, 1000, 70000];

const u32be = (n) => Uint8Array.of(n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255);

/** SHA-256 (hex) of the outputs, each framed by its length when there are several. */
export function digestOf(...outs) {
  const h = createHash('sha256');
  if (outs.length === 1) h.update(outs[0]);
  else for (const o of outs) h.update(u32be(o.length)).update(o);
  return h.digest('hex');
}

/** `n` fixed bytes for `label`: SHA-256(label || be32 counter) blocks. */
export function fixedBytes(label, n) {
  const out = new Uint8Array(n);
  for (let i = 0, off = 0; off < n; i++, off += 32) {
    const block = createHash('sha256').update(`awre-golden-v1 ${label}`).update(u32be(i)).digest();
    out.set(block.subarray(0, Math.min(32, n - off)), off);
  }
  return out;
}

const equal = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
const flip = (u, at) => { const c = u.slice(); c[at] ^= 1; return c; };

/**
 * The golden entries of this thread's enclave (no mode prefix). `api` is the
 * awre package (dist/host/index.js). Returns { mmu, digest, entries, problems }.
 */
export function computeEntries(api) {
  /** @type {Record<string, string>} */
  const entries = {};
  /** @type {string[]} */
  const problems = [];
  const check = (ok, what) => { if (!ok) problems.push(what); };
  const put = (name, ...outs) => { entries[name] = digestOf(...outs); };

  // ---- ML-KEM (FIPS 203) -----------------------------------------------------
  for (const [level, kem] of [[512, api.ml_kem512], [768, api.ml_kem768], [1024, api.ml_kem1024]]) {
    const n = `mlkem${level}`;
    const { publicKey, secretKey } = kem.keygen(fixedBytes(`${n} seed`, 64));
    put(`${n}.keygen`, publicKey, secretKey);
    const { cipherText, sharedSecret } = kem.encapsulate(publicKey, fixedBytes(`${n} msg`, 32));
    put(`${n}.encapsulate`, cipherText, sharedSecret);
    const ss = kem.decapsulate(cipherText, secretKey);
    put(`${n}.decapsulate`, ss);
    check(equal(ss, sharedSecret), `${n}: decapsulate does not give the encapsulated secret`);
    // Implicit rejection: a tampered ciphertext gives the pseudo-random J(z || c'), not an error.
    const rejected = kem.decapsulate(flip(cipherText, 7), secretKey);
    put(`${n}.decapsulate-reject`, rejected);
    check(!equal(rejected, sharedSecret), `${n}: a tampered ciphertext decapsulates to the real secret`);
    check(equal(kem.getPublicKey(secretKey), publicKey), `${n}: getPublicKey(secretKey) is not the public key`);
  }

  // ---- ML-DSA (FIPS 204) -----------------------------------------------------
  for (const [level, dsa] of [[44, api.ml_dsa44], [65, api.ml_dsa65], [87, api.ml_dsa87]]) {
    const n = `mldsa${level}`;
    const { publicKey, secretKey } = dsa.keygen(fixedBytes(`${n} seed`, 32));
    put(`${n}.keygen`, publicKey, secretKey);
    const msg = fixedBytes(`${n} msg`, 200);
    const context = fixedBytes(`${n} ctx`, 9);
    const det = dsa.sign(msg, secretKey, { context, extraEntropy: false });
    put(`${n}.sign-deterministic`, det);
    const hedged = dsa.sign(msg, secretKey, { context, extraEntropy: fixedBytes(`${n} rnd`, 32) });
    put(`${n}.sign-hedged`, hedged);
    check(!equal(det, hedged), `${n}: hedged and deterministic signatures are equal`);
    const big = fixedBytes(`${n} big msg`, 70000); // streamed through SHAKE256 in several chunks
    const bigSig = dsa.sign(big, secretKey, { extraEntropy: false });
    put(`${n}.sign-deterministic.70000`, bigSig);
    const results = [
      dsa.verify(det, msg, publicKey, { context }),
      dsa.verify(hedged, msg, publicKey, { context }),
      dsa.verify(bigSig, big, publicKey),
      dsa.verify(flip(det, 100), msg, publicKey, { context }),
      dsa.verify(det, flip(msg, 0), publicKey, { context }),
      dsa.verify(det, msg, publicKey, { context: flip(context, 0) }),
      dsa.verify(det, msg, publicKey),
    ];
    put(`${n}.verify`, Uint8Array.from(results, (r) => (r === true ? 1 : r === false ? 0 : 2)));
    check(results.join() === 'true,true,true,false,false,false,false', `${n}: verify results ${results.join()}, expected true x3, false x4`);
  }

  // ---- AES-GCM (SP 800-38D) --------------------------------------------------
  for (const bits of [128, 192, 256]) {
    const n = `gcm${bits}`;
    const key = fixedBytes(`${n} key`, bits / 8);
    const aad = fixedBytes(`${n} aad`, 20);
    const cases = GCM_LENGTHS.map((len) => ({ tag: String(len), nonce: 12, tagLength: 16, len }));
    cases.push({ tag: 'nonce16-tag12.1000', nonce: 16, tagLength: 12, len: 1000 }); // GHASHed nonce, short tag
    for (const c of cases) {
      const nonce = fixedBytes(`${n} nonce ${c.tag}`, c.nonce);
      const pt = fixedBytes(`${n} pt ${c.tag}`, c.len);
      const opts = { tagLength: c.tagLength };
      const sealed = api.gcm(key, nonce, aad, opts).encrypt(pt);
      put(`${n}.encrypt.${c.tag}`, sealed);
      const opened = api.gcm(key, nonce, aad, opts).decrypt(sealed);
      put(`${n}.decrypt.${c.tag}`, opened);
      check(equal(opened, pt), `${n}.${c.tag}: decrypt(encrypt(pt)) is not pt`);
      check(sealed.length === c.len + c.tagLength, `${n}.${c.tag}: sealed length ${sealed.length}`);
      let code = 'none';
      try {
        api.gcm(key, nonce, aad, opts).decrypt(flip(sealed, sealed.length - 1));
      } catch (err) {
        code = err instanceof api.AwreError ? err.code : String(err);
      }
      check(code === 'AUTH_FAILED', `${n}.${c.tag}: a tampered tag gave ${code}, expected AUTH_FAILED`);
    }
  }

  // ---- SHA-3 and SHAKE (FIPS 202) --------------------------------------------
  for (const [name, h] of [['sha3_224', api.sha3_224], ['sha3_256', api.sha3_256], ['sha3_384', api.sha3_384], ['sha3_512', api.sha3_512], ['shake128', api.shake128], ['shake256', api.shake256]]) {
    for (const len of HASH_LENGTHS) {
      const msg = fixedBytes(`${name} msg ${len}`, len);
      const out = h(msg);
      put(`${name}.${len}`, out);
      // The same through the incremental API, in uneven pieces.
      const s = h.create();
      for (let off = 0, step = 1; off < len; off += step, step = step * 3 + 1) s.update(msg.subarray(off, Math.min(len, off + step)));
      check(equal(s.digest(), out), `${name}.${len}: incremental and one-shot digests differ`);
    }
    if (name.startsWith('shake')) {
      // Long outputs: dkLen and xof() in several squeezes across the window.
      const msg = fixedBytes(`${name} xof msg`, 100);
      const long = h(msg, { dkLen: 100000 });
      put(`${name}.dkLen100000`, long);
      const x = h.create();
      x.update(msg);
      const parts = [x.xof(1), x.xof(167), x.xof(40000), x.xof(59832)];
      const joined = new Uint8Array(100000);
      let off = 0;
      for (const p of parts) { joined.set(p, off); off += p.length; }
      check(equal(joined, long), `${name}: xof() in pieces differs from dkLen`);
    }
  }

  const e = api.defaultEnclave();
  return { mmu: e.mmu, digest: e.digest, entries, problems };
}

/** Sorted copy (stable file order). */
export function sortedObject(o) {
  return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
}

/** Run one mode in a worker thread with AWRE_MMU set: { mmu, digest, entries, problems }. */
function runMode(mode) {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL(import.meta.url), {
      workerData: { awreGoldenMode: mode },
      env: { ...process.env, AWRE_MMU: mode },
    });
    let result;
    w.once('message', (m) => { result = m; });
    w.once('error', reject);
    w.once('exit', (code) => {
      if (result === undefined) reject(new Error(`golden worker (${mode}) exited with code ${code} and no result`));
      else if (result.error) reject(new Error(`golden worker (${mode}): ${result.error}`));
      else resolve(result);
    });
  });
}

/**
 * Every mode: { outputs: {"<mode>/<name>": hex}, problems: string[], modules: {mode: digest} }.
 * problems also names every entry where the WAVEN and plain outputs differ.
 */
export async function computeGolden() {
  const results = await Promise.all(MODES.map(runMode));
  const outputs = {};
  const problems = [];
  const modules = {};
  MODES.forEach((mode, i) => {
    const r = results[i];
    if (r.mmu !== mode) problems.push(`mode ${mode}: the enclave ran with mmu ${r.mmu}`);
    modules[mode] = r.digest;
    for (const p of r.problems) problems.push(`${mode}: ${p}`);
    for (const [k, v] of Object.entries(r.entries)) outputs[`${mode}/${k}`] = v;
  });
  problems.push(...crossModeDifferences(outputs));
  return { outputs: sortedObject(outputs), problems, modules };
}

/** Entries whose WAVEN and plain outputs are not the same bytes, or that one mode lacks. */
export function crossModeDifferences(outputs) {
  const diffs = [];
  const [a, ...rest] = MODES;
  const names = new Set(Object.keys(outputs).map((k) => k.slice(k.indexOf('/') + 1)));
  for (const name of [...names].sort()) {
    for (const b of rest) {
      const x = outputs[`${a}/${name}`], y = outputs[`${b}/${name}`];
      if (x === undefined || y === undefined) diffs.push(`${name}: only in mode ${x === undefined ? b : a}`);
      else if (x !== y) diffs.push(`${name}: mode ${b} gives ${y}, mode ${a} gives ${x}`);
    }
  }
  return diffs;
}

/** Differences between the committed golden outputs and these: one line each, [] when identical. */
export function compareGolden(expected, actual) {
  const diffs = [];
  for (const k of Object.keys(expected).sort()) {
    if (!(k in actual)) diffs.push(`${k}: in the golden file (${expected[k]}) but not computed`);
    else if (expected[k] !== actual[k]) diffs.push(`${k}: got ${actual[k]}, golden ${expected[k]}`);
  }
  for (const k of Object.keys(actual).sort()) {
    if (!(k in expected)) diffs.push(`${k}: computed (${actual[k]}) but not in the golden file`);
  }
  return diffs;
}

/** The JSON text of a golden file: sorted, one entry a line. */
export function goldenText(outputs) {
  return `${JSON.stringify(sortedObject(outputs), null, 1)}\n`;
}

// ---- the worker ------------------------------------------------------------------
if (!isMainThread && workerData && typeof workerData.awreGoldenMode === 'string') {
  try {
    const api = await import('../dist/host/index.js');
    parentPort.postMessage(computeEntries(api));
  } catch (err) {
    parentPort.postMessage({ error: err && err.stack ? err.stack : String(err) });
  }
}

