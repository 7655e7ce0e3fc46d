// The node identity (docs/trust.md): a long-lived ML-DSA-65 key pair made in
// the vault (usage "identity"), which leaves the enclave only sealed, and the
// run state sealed with it. A node directory holds:
//
//   platform.secret        32 random bytes, mode 0600: the platform secret
//   identity.sealed.json   the sealed identity and the run state (mode 0600)
//   identity.pub.json      the identity's public key, for auditors to enroll
//
// The seal (assembly/vault.ts) is AES-256-GCM in the enclave under
// K_seal = SHAKE256("awre-seal-v1" || 0x00 || platform secret || measurement),
// the measurement being the SHA-256 of the module the node runs, so another
// module (or another machine's secret) cannot unseal it. Its additional data
// is every member of the sealed file but `sealed`, as RFC 8785 JSON: the run
// state cannot be edited without the file failing to open. A missing,
// unreadable, edited or foreign file is a typed error, never a new identity.
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import canonicalize from 'canonicalize';
import { z } from 'zod';
import type { Enclave } from '../host/enclave/enclave.js';
import { AwreError, checkStatus } from '../host/errors.js';
import { fingerprint, nodeIdentityFile, parseNodeIdentity, type NodeIdentity } from './identity.js';
import { writeFileAtomic } from './atomic.js';

export const NODE_FILES = { secret: 'platform.secret', sealed: 'identity.sealed.json', pub: 'identity.pub.json' } as const;
/** Vault usage of a node identity (assembly/vault.ts U_IDENTITY). */
export const USAGE_IDENTITY = 4;
/** The FIPS 204 context of every identity signature. */
export const IDENTITY_CONTEXT = new TextEncoder().encode('awre-identity-v1');
const SECRET_BYTES = 32;

/** The run state kept sealed with the identity: runs started, and the last run that finished. */
export interface NodeState {
  runs: number;
  /** The last finished run: its number and the SHA-256 (hex) of its final checkpoint note. */
  last: { run: number; note: string } | null;
}

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);
const b64 = z.string().regex(/^[A-Za-z0-9+/]+={0,2}$/);
const State = z.object({ runs: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER), last: z.object({ run: z.number().int().min(1), note: hex64 }).strict().nullable() }).strict();
const Sealed = z.object({
  kind: z.literal('awre-sealed-identity'), v: z.literal(1), alg: z.literal('ML-DSA-65'), name: z.string().regex(/^[^\s+]+$/).max(255),
  measurement: hex64, publicKey: b64, state: State, sealed: b64,
}).strict();
type SealedFile = z.infer<typeof Sealed>;

export { fingerprint, nodeIdentityFile, parseNodeIdentity, type NodeIdentity };

/** The seal's additional data: the sealed file's members but `sealed`, canonical. */
function aadOf(f: Omit<SealedFile, 'sealed'>): Uint8Array {
  return new TextEncoder().encode(canonicalize({ kind: f.kind, v: f.v, alg: f.alg, name: f.name, measurement: f.measurement, publicKey: f.publicKey, state: f.state })!);
}

/** Seal `handle` (an identity key in `e`'s vault) with `state`: the sealed file's text. */
function sealedText(e: Enclave, handle: number, secret: Uint8Array, head: Omit<SealedFile, 'sealed' | 'state'>, state: NodeState): string {
  const f = { ...head, state };
  const aad = aadOf(f);
  const level = 65;
  const n = e.exports.vault_sealed_bytes(level);
  // Window: secret (64) @0, aad @64, sealed after it.
  if (64 + aad.length + n > e.ioBytes) throw new AwreError('NODE_STATE', 'the run state is too large to seal');
  e.put(0, secret);
  e.put(64, aad);
  const len = e.exports.vault_seal(handle, e.io, e.io + 64, aad.length, e.io + 64 + aad.length, n);
  e.wipe(0, 64);
  if (len < 0) checkStatus(len, 'node: vault_seal');
  const sealed = e.get(64 + aad.length, len);
  e.wipe(64, aad.length + len);
  return `${JSON.stringify({ ...f, sealed: Buffer.from(sealed).toString('base64') }, null, 2)}\n`;
}

/** The 64 bytes the seal key is derived from: platform secret || measurement. */
function sealInput(secret: Uint8Array, measurement: string): Uint8Array {
  const b = new Uint8Array(64);
  b.set(secret);
  b.set(Buffer.from(measurement, 'hex'), 32);
  return b;
}

/**
 * `awre init`: a new node in `dir` (created, mode 0700): the platform secret,
 * an identity made in `e`'s vault (its DRBG seeded), sealed to the
 * measurement. Refuses (NODE_EXISTS) if the directory already holds a node.
 */
export function initNode(e: Enclave, dir: string, name: string, measurement: string): NodeIdentity & { fingerprint: string } {
  const paths = nodePaths(dir);
  for (const p of [paths.secret, paths.sealed]) {
    if (existsSync(p)) throw new AwreError('NODE_EXISTS', `${p} exists: a node identity is never replaced (remove the directory to start a new node)`);
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const secret = new Uint8Array(randomBytes(SECRET_BYTES));
  const fd = openSync(paths.secret, 'wx', 0o600);
  try { writeSync(fd, secret); fsyncSync(fd); } finally { closeSync(fd); }
  const handle = e.exports.vault_dsa_keygen(65, USAGE_IDENTITY);
  if (handle < 0) checkStatus(handle, 'node: vault_dsa_keygen');
  const publicKey = publicOf(e, handle);
  const input = sealInput(secret, measurement);
  secret.fill(0);
  const head = { kind: 'awre-sealed-identity' as const, v: 1 as const, alg: 'ML-DSA-65' as const, name, measurement, publicKey: Buffer.from(publicKey).toString('base64') };
  try {
    writeFileAtomic(paths.sealed, sealedText(e, handle, input, head, { runs: 0, last: null }), 0o600);
  } finally {
    input.fill(0);
    e.exports.vault_free(handle);
  }
  writeFileAtomic(paths.pub, nodeIdentityFile({ name, publicKey }), 0o644);
  return { name, publicKey, fingerprint: fingerprint(publicKey) };
}

function publicOf(e: Enclave, handle: number): Uint8Array {
  const len = e.exports.vault_public_bytes(handle);
  checkStatus(e.exports.vault_public(handle, e.io), 'node: vault_public');
  const pk = e.get(0, len);
  e.wipe(0, len);
  return pk;
}

/** node.lock holds the pid of the process that has the node open; a lock whose process is gone is taken over. */
function lockNode(dir: string): void {
  const path = join(dir, 'node.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      try { writeSync(fd, `${process.pid}\n`); } finally { closeSync(fd); }
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new AwreError('NODE_STATE', `${path}: cannot lock the node (${(e as NodeJS.ErrnoException).code})`);
      const pid = Number(readFileSync(path, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && alive(pid)) throw new AwreError('NODE_BUSY', `${dir}: the node is open in process ${pid} (one run of a node at a time)`, { got: pid });
      rmSync(path, { force: true }); // its process is gone: a crashed run
    }
  }
  throw new AwreError('NODE_BUSY', `${dir}: cannot take the node's lock`);
}

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}

function unlockNode(dir: string): void {
  rmSync(join(dir, 'node.lock'), { force: true });
}

export function nodePaths(dir: string): { secret: string; sealed: string; pub: string } {
  return { secret: join(dir, NODE_FILES.secret), sealed: join(dir, NODE_FILES.sealed), pub: join(dir, NODE_FILES.pub) };
}

/** A node opened into an enclave's vault: its identity handle there, and its sealed state. */
export class OpenNode {
  private constructor(
    private readonly e: Enclave, readonly dir: string, readonly handle: number, readonly name: string,
    readonly publicKey: Uint8Array, readonly state: NodeState, private readonly input: Uint8Array,
    private readonly head: Omit<SealedFile, 'sealed' | 'state'>,
  ) {}

  /**
   * Unseal the node in `dir` into `e`'s vault, for the module whose SHA-256
   * is `measurement`. NODE_MISSING when there is no node; NODE_SEALED_INVALID
   * when the files do not open (edited, truncated, another machine's secret,
   * another module).
   */
  static open(e: Enclave, dir: string, measurement: string): OpenNode {
    const paths = nodePaths(dir);
    if (!existsSync(paths.sealed) && !existsSync(paths.secret)) throw new AwreError('NODE_MISSING', `${dir}: no node here (awre init --node ${dir} makes one)`);
    // One open at a time: two runs at once would take one run number twice (review finding).
    lockNode(dir);
    try {
      return OpenNode.unsealed(e, dir, measurement);
    } catch (err) {
      unlockNode(dir);
      throw err;
    }
  }

  private static unsealed(e: Enclave, dir: string, measurement: string): OpenNode {
    const paths = nodePaths(dir);
    let secret: Uint8Array, text: string;
    try {
      secret = new Uint8Array(readFileSync(paths.secret));
      text = readFileSync(paths.sealed, 'utf8');
    } catch (cause) {
      throw new AwreError('NODE_SEALED_INVALID', `${dir}: the node's files cannot be read (${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}); a node is never silently replaced`, { cause });
    }
    if (secret.length !== SECRET_BYTES) throw new AwreError('NODE_SEALED_INVALID', `${paths.secret}: expected ${SECRET_BYTES} bytes, got ${secret.length}`);
    let f: SealedFile;
    try {
      const r = Sealed.safeParse(JSON.parse(text));
      if (!r.success) { const i = r.error.issues[0]!; throw new Error(`${i.path.join('.') || '(root)'}: ${i.message}`); }
      f = r.data;
    } catch (cause) {
      throw new AwreError('NODE_SEALED_INVALID', `${paths.sealed}: not a sealed identity: ${(cause as Error).message}`, { cause });
    }
    if (f.measurement !== measurement) {
      throw new AwreError('NODE_SEALED_INVALID', `${paths.sealed}: sealed to module ${f.measurement}, this module is ${measurement}: another module cannot unseal it`, { expected: f.measurement, got: measurement });
    }
    const input = sealInput(secret, measurement);
    secret.fill(0);
    const aad = aadOf(f);
    const blob = new Uint8Array(Buffer.from(f.sealed, 'base64'));
    if (64 + aad.length + blob.length > e.ioBytes) throw new AwreError('NODE_SEALED_INVALID', `${paths.sealed}: too large`);
    e.put(0, input);
    e.put(64, aad);
    e.put(64 + aad.length, blob);
    const h = e.exports.vault_unseal(e.io, e.io + 64, aad.length, e.io + 64 + aad.length, blob.length);
    e.wipe(0, 64 + aad.length + blob.length);
    if (h < 0) {
      input.fill(0);
      throw new AwreError('NODE_SEALED_INVALID', `${paths.sealed}: the sealed identity does not open here (status ${h}: a changed file, another machine's platform secret, or another module)`, { got: h });
    }
    const publicKey = publicOf(e, h);
    if (Buffer.from(publicKey).toString('base64') !== f.publicKey) {
      e.exports.vault_free(h);
      input.fill(0);
      throw new AwreError('NODE_SEALED_INVALID', `${paths.sealed}: the public key does not match the sealed key`);
    }
    const { sealed: _s, state, ...head } = f;
    return new OpenNode(e, dir, h, f.name, publicKey, state, input, head);
  }

  /** An identity signature (context "awre-identity-v1") over `message`, in the vault. */
  sign(message: Uint8Array): Uint8Array {
    const e = this.e, at = 3309;
    if (message.length > e.ioBytes - at) throw new RangeError(`"message" expected at most ${e.ioBytes - at} bytes, got length=${message.length}`);
    e.put(at, message);
    checkStatus(e.exports.vault_identity_sign(this.handle, e.io + at, message.length, e.io), 'node: vault_identity_sign');
    const sig = e.get(0, at);
    e.wipe(0, at + message.length);
    return sig;
  }

  /** Seal and write a new run state (atomically: the old file or the new one, never half). */
  save(state: NodeState): void {
    writeFileAtomic(nodePaths(this.dir).sealed, sealedText(this.e, this.handle, this.input, this.head, state), 0o600);
    (this as { state: NodeState }).state = state;
  }

  /** Wipe the seal input, free the identity in the vault and release the node's lock. */
  close(): void {
    this.input.fill(0);
    this.e.exports.vault_free(this.handle);
    unlockNode(this.dir);
  }
}
