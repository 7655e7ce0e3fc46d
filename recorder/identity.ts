// A node identity as an auditor knows it (docs/trust.md): its name and
// ML-DSA-65 public key (identity.pub.json), and the fingerprint (SHA-256 of
// the key, hex) that enrols it and that a run certificate names. No I/O:
// the half of node.ts that a verifier, in Node or a browser, needs.
import { platform } from '#platform';
import { z } from 'zod';
import { fromBase64, toBase64, toHex } from '../host/codec.js';

export interface NodeIdentity { name: string; publicKey: Uint8Array }

const Public = z.object({ kind: z.literal('awre-node-identity'), alg: z.literal('ML-DSA-65'), name: z.string().min(1).max(255), publicKey: z.string().regex(/^[A-Za-z0-9+/]+={0,2}$/) }).strict();

/** SHA-256 of the identity public key, hex: what an auditor enrolls and a certificate names. */
export function fingerprint(publicKey: Uint8Array): string {
  return toHex(platform.sha256(publicKey));
}

/** A node's public identity file (identity.pub.json). */
export function nodeIdentityFile(id: NodeIdentity): string {
  return `${JSON.stringify({ kind: 'awre-node-identity', alg: 'ML-DSA-65', name: id.name, publicKey: toBase64(id.publicKey) }, null, 2)}\n`;
}

/** Parse identity.pub.json; TypeError naming the field that is wrong. */
export function parseNodeIdentity(text: string): NodeIdentity {
  let json: unknown;
  try { json = JSON.parse(text); } catch { throw new TypeError('node identity: not JSON'); }
  const r = Public.safeParse(json);
  if (!r.success) { const i = r.error.issues[0]!; throw new TypeError(`node identity: ${i.path.join('.') || '(root)'}: ${i.message}`); }
  const publicKey = fromBase64(r.data.publicKey);
  if (publicKey.length !== 1952) throw new TypeError(`node identity: expected 1952 bytes of public key, got ${publicKey.length}`);
  return { name: r.data.name, publicKey };
}
