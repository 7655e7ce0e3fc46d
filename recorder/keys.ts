// Key files (docs/abw34.md, "Files"): small JSON documents, one per key.
//   attestation public key: {"kind":"awre-attestation-key","alg":"ML-DSA-65","name":<origin>,"publicKey":<b64>}
//   auditor public key:     {"kind":"awre-auditor-public-key","alg":"ML-KEM-768","publicKey":<b64>}
//   auditor secret key:     {"kind":"awre-auditor-secret-key","alg":"ML-KEM-768","secretKey":<b64>}   (mode 0600)
import { z } from 'zod';
import { fromBase64, toBase64 } from '../host/codec.js';

const b64 = z.string().regex(/^[A-Za-z0-9+/]+={0,2}$/, 'base64');
const lengths = { 'ML-DSA-65': 1952, 'ML-KEM-768/public': 1184, 'ML-KEM-768/secret': 2400 } as const;

// Strict: a member this format does not define is an error, not ignored (issue 14).
const Attestation = z.object({ kind: z.literal('awre-attestation-key'), alg: z.literal('ML-DSA-65'), name: z.string().min(1), publicKey: b64 }).strict();
const AuditorPublic = z.object({ kind: z.literal('awre-auditor-public-key'), alg: z.literal('ML-KEM-768'), publicKey: b64 }).strict();
const AuditorSecret = z.object({ kind: z.literal('awre-auditor-secret-key'), alg: z.literal('ML-KEM-768'), secretKey: b64 }).strict();

function parse<T extends z.ZodTypeAny>(schema: T, text: string, what: string): z.infer<T> {
  let json: unknown;
  try { json = JSON.parse(text); } catch { throw new TypeError(`${what}: not JSON`); }
  const r = schema.safeParse(json);
  if (!r.success) { const i = r.error.issues[0]!; throw new TypeError(`${what}: ${i.path.join('.') || '(root)'}: ${i.message}`); }
  return r.data;
}

function bytes(s: string, len: number, what: string): Uint8Array {
  const b = fromBase64(s); // the schema admits only the base64 alphabet
  if (b.length !== len) throw new TypeError(`${what}: expected ${len} bytes, got ${b.length}`);
  return b;
}

export function attestationKeyFile(name: string, publicKey: Uint8Array): string {
  return `${JSON.stringify({ kind: 'awre-attestation-key', alg: 'ML-DSA-65', name, publicKey: toBase64(publicKey) }, null, 2)}\n`;
}

export function parseAttestationKey(text: string): { name: string; publicKey: Uint8Array } {
  const k = parse(Attestation, text, 'attestation key');
  return { name: k.name, publicKey: bytes(k.publicKey, lengths['ML-DSA-65'], 'attestation key') };
}

export function auditorKeyFiles(publicKey: Uint8Array, secretKey: Uint8Array): { pub: string; key: string } {
  return {
    pub: `${JSON.stringify({ kind: 'awre-auditor-public-key', alg: 'ML-KEM-768', publicKey: toBase64(publicKey) }, null, 2)}\n`,
    key: `${JSON.stringify({ kind: 'awre-auditor-secret-key', alg: 'ML-KEM-768', secretKey: toBase64(secretKey) }, null, 2)}\n`,
  };
}

export function parseAuditorPublicKey(text: string): Uint8Array {
  return bytes(parse(AuditorPublic, text, 'auditor public key').publicKey, lengths['ML-KEM-768/public'], 'auditor public key');
}

export function parseAuditorSecretKey(text: string): Uint8Array {
  return bytes(parse(AuditorSecret, text, 'auditor secret key').secretKey, lengths['ML-KEM-768/secret'], 'auditor secret key');
}
