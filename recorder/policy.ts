// The auditor's policy file (docs/abw34.md): a JSON document, validated.
import { z } from 'zod';
import { fromBase64 } from '../host/codec.js';

const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 digest in lower-case hex');

export const PolicySchema = z.object({
  /** Module digests (SHA-256 of the instrumented module) the node may run. */
  modules: z.array(hex64).min(1).optional(),
  /** Runtime profile digests the node may run under. */
  profiles: z.array(hex64).min(1).optional(),
  mmu: z.enum(['waven', 'off']).optional(),
  entropy: z.object({
    /** Every seed must come from a source reported as quantum. */
    quantum: z.boolean().optional(),
    /**
     * Allowed source labels (docs/abw34.md, "Entropy sources"): exact, or a
     * trailing * over a directory ("file:/dev/*") or under a URL's origin
     * ("anu:https://qrng.anu.edu.au/*"), matched on normalised paths and
     * parsed origins.
     */
    sources: z.array(z.string().min(1).superRefine((v, ctx) => {
      const problem = patternProblem(v);
      if (problem) ctx.addIssue({ code: z.ZodIssueCode.custom, message: problem });
    })).min(1).optional(),
    /** Least credited bits per seed. */
    minBits: z.number().int().positive().optional(),
  }).strict().optional(),
  /** The largest checkpoint interval (tuples between checkpoints) the node may use. */
  checkpointEvery: z.object({ max: z.number().int().positive() }).strict().optional(),
  /**
   * The node identities the auditor enrolled (identity.pub.json's name and
   * public key): a run must be certified by one of them (docs/trust.md).
   */
  nodes: z.array(z.object({ name: z.string().min(1).max(255), publicKey: z.string().regex(/^[A-Za-z0-9+/]+={0,2}$/).refine((k) => { try { return fromBase64(k).length === 1952; } catch { return false; } }, 'an ML-DSA-65 public key (1952 bytes)') }).strict()).min(1).optional(),
}).strict();

export type Policy = z.infer<typeof PolicySchema>;

/** Parse and validate a policy's text; the error names the field. */
export function parsePolicy(text: string): Policy {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new TypeError('policy: not JSON');
  }
  const r = PolicySchema.safeParse(json);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new TypeError(`policy: ${i.path.join('.') || '(root)'}: ${i.message}`);
  }
  return r.data;
}

// ---- entropy source labels ------------------------------------------------------------
// A label is "<kind>:<where>" (file:<absolute path>, anu:<URL or path>) or a
// name without a location (os, sim#<hex>). The node writes its labels, so a
// label is matched only in its normal form: a path that is absolute and
// normalised (no ".", "..", "//" or trailing "/"), a URL whose origin and
// path are as the URL parser gives them. A label in any other form matches
// no pattern, so "file:/dev/../home/x" cannot pass "file:/dev/*".

/** An absolute, normalised POSIX path. */
function normalPath(p: string): boolean {
  // POSIX-normal and absolute: '/', or '/' then segments none of which is empty, '.' or '..'.
  return p === '/' || (p.startsWith('/') && p.slice(1).split('/').every((seg) => seg !== '' && seg !== '.' && seg !== '..'));
}

/** The label's location as a URL, when it is one ("kind:scheme://..."), in normal form (origin + path), else undefined. */
function labelUrl(where: string): URL | undefined {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(where)) return undefined;
  try {
    const u = new URL(where);
    return `${u.origin}${u.pathname}` === where ? u : undefined;
  } catch {
    return undefined;
  }
}

function split(label: string): { kind: string; where: string } | undefined {
  const at = label.indexOf(':');
  return at > 0 ? { kind: label.slice(0, at), where: label.slice(at + 1) } : undefined;
}

/** Why a policy pattern cannot be used, or undefined when it can. */
export function patternProblem(pattern: string): string | undefined {
  if (!pattern.endsWith('*')) return pattern.includes('*') ? 'a * may only end a source pattern' : undefined;
  const prefix = pattern.slice(0, -1);
  if (prefix.includes('*')) return 'a * may only end a source pattern';
  const s = split(prefix);
  if (s === undefined) return prefix.length > 0 ? undefined : 'the pattern "*" allows every source: list the sources instead';
  if (s.kind === 'file') {
    return s.where.endsWith('/') && normalPath(s.where.slice(0, -1) || '/') ? undefined : 'a file: pattern is an absolute, normalised directory followed by "/*" (e.g. "file:/dev/*")';
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(s.where)) {
    // A URL pattern names its whole origin and a path prefix ending in "/".
    const u = s.where.endsWith('/') ? labelUrl(s.where) : undefined;
    return u && u.host !== '' ? undefined : `a URL pattern names a whole origin and a path ending in "/" (e.g. "${s.kind}:https://qrng.anu.edu.au/*")`;
  }
  // Any other located kind: a normalised directory followed by "/*", or a whole URL origin (above); never a bare prefix.
  if (s.where.endsWith('/') && normalPath(s.where.slice(0, -1) || '/')) return undefined;
  return `a ${s.kind}: pattern is a URL with its whole origin and a path ending in "/", or an absolute, normalised directory followed by "/*"`;
}

/** Whether an entropy source label passes one of the policy's patterns (each valid by patternProblem). */
export function sourceAllowed(label: string, allowed: readonly string[]): boolean {
  const s = split(label);
  const url = s ? labelUrl(s.where) : undefined;
  // A located label that is not in its normal form matches nothing.
  if (s && !url && s.where.startsWith('/') && !normalPath(s.where)) return false;
  if (s && !url && /^[a-z][a-z0-9+.-]*:/i.test(s.where)) return false;
  return allowed.some((a) => {
    if (!a.endsWith('*')) return label === a;
    const prefix = a.slice(0, -1);
    const p = split(prefix);
    if (p && s && p.kind === s.kind && /^[a-z][a-z0-9+.-]*:/i.test(p.where)) {
      const pu = labelUrl(p.where);
      return url !== undefined && pu !== undefined && url.origin === pu.origin && url.pathname.startsWith(pu.pathname);
    }
    return label.startsWith(prefix);
  });
}
