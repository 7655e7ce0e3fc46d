// Run certificates (docs/trust.md): the node identity's signature binding one
// run's attestation key to the node, the log's origin, the module, the
// runtime profile, the run's number, the run it follows and, when an auditor
// asked, the auditor's challenge. The certificate is a tuple of its own
// (kind "certificate") right after the attestation key is made and before the
// boot checkpoint, so the boot checkpoint's root covers it too.
//
//   message = RFC 8785 JSON of the certificate object, UTF-8
//   sig     = ML-DSA-65 (pure, hedged), context "awre-identity-v1", over message
import canonicalize from 'canonicalize';
import { z } from 'zod';
import { utf8Length } from '../host/codec.js';

export interface RunCertificate {
  kind: 'awre-run-certificate';
  v: 1;
  /** SHA-256 (hex) of the node identity's public key. */
  node: string;
  origin: string;
  /** SHA-256 (hex) of the module (the profile's `module`). */
  module: string;
  /** The runtime profile digest every tuple carries. */
  profile: string;
  /** This run's number: 1 for the node's first run, one more each run. */
  run: number;
  /** The last run that finished before this one: its number and the SHA-256 (hex) of its final checkpoint note. */
  prev: { run: number; note: string } | null;
  /** The run's attestation public key (ML-DSA-65), base64. */
  attestationKey: string;
  /** The auditor's challenge (hex), when the run was started with one. */
  challenge?: string;
}

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);
export const CertificateSchema = z.object({
  // The origin is a C2SP cosigned_message field: 1 to 255 UTF-8 bytes, no space or "+".
  kind: z.literal('awre-run-certificate'), v: z.literal(1), node: hex64,
  origin: z.string().regex(/^[^\s+]+$/u).refine((o) => utf8Length(o) <= 255, 'at most 255 UTF-8 bytes'), module: hex64, profile: hex64,
  run: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  prev: z.object({ run: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER), note: hex64 }).strict().nullable(),
  attestationKey: z.string().regex(/^[A-Za-z0-9+/]+={0,2}$/).max(4096),
  challenge: z.string().regex(/^([0-9a-f]{2}){8,64}$/).optional(),
}).strict();

/** The bytes the identity signs. */
export function certificateMessage(c: RunCertificate): Uint8Array {
  return new TextEncoder().encode(canonicalize(c)!);
}

/** A challenge as given on a command line: 8 to 64 bytes of hex, lower-cased; else a TypeError naming the rule. */
export function parseChallenge(hex: string): string {
  const h = hex.toLowerCase();
  if (!/^([0-9a-f]{2}){8,64}$/.test(h)) throw new TypeError('a challenge is 8 to 64 bytes of hex (16 to 128 hex digits)');
  return h;
}
