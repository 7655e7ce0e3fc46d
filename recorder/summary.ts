// The session summary: an in-toto Statement v1 whose subject is the enclave
// module (by its SHA-256), in a DSSE envelope signed by the attestation key
// (ML-DSA-65 over DSSE's pre-authentication encoding).
//   PAE(type, body) = "DSSEv1" SP len(type) SP type SP len(body) SP body
import type { NoteSigner, NoteVerify } from './note.js';
import { keyId } from './note.js';

export const PAYLOAD_TYPE = 'application/vnd.in-toto+json';
export const PREDICATE_TYPE = 'https://awre.dev/abw34/session/v1';

export interface DsseEnvelope {
  payloadType: string;
  payload: string;
  signatures: { keyid: string; sig: string }[];
}

export function pae(type: string, body: Uint8Array): Uint8Array {
  const t = Buffer.from(type, 'utf8');
  return Buffer.concat([Buffer.from(`DSSEv1 ${t.length} `), t, Buffer.from(` ${body.length} `), body]);
}

export function sessionStatement(moduleName: string, moduleDigest: string, predicate: Record<string, unknown>): Record<string, unknown> {
  return {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: moduleName, digest: { sha256: moduleDigest } }],
    predicateType: PREDICATE_TYPE,
    predicate,
  };
}

export function signDsse(statement: unknown, signer: NoteSigner): DsseEnvelope {
  const body = Buffer.from(JSON.stringify(statement), 'utf8');
  const sig = signer.sign(pae(PAYLOAD_TYPE, body));
  return { payloadType: PAYLOAD_TYPE, payload: body.toString('base64'), signatures: [{ keyid: Buffer.from(keyId(signer.name, signer.publicKey)).toString('hex'), sig: Buffer.from(sig).toString('base64') }] };
}

/** The statement, when a signature by `publicKey` verifies; undefined otherwise. */
export function openDsse(env: DsseEnvelope, name: string, publicKey: Uint8Array, verify: NoteVerify): Record<string, unknown> | undefined {
  if (env.payloadType !== PAYLOAD_TYPE) return undefined;
  const body = Buffer.from(env.payload, 'base64');
  const id = Buffer.from(keyId(name, publicKey)).toString('hex');
  const ok = env.signatures.some((s) => s.keyid === id && verify(new Uint8Array(Buffer.from(s.sig, 'base64')), pae(env.payloadType, body), publicKey));
  return ok ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>) : undefined;
}
