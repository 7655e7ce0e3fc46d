// The auditor's policy file (docs/abw34.md): a JSON document, validated.
import { z } from 'zod';

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
    /** Allowed source labels; a trailing * matches a prefix (e.g. "file:/dev/*"). */
    sources: z.array(z.string().min(1)).min(1).optional(),
    /** Least credited bits per seed. */
    minBits: z.number().int().positive().optional(),
  }).strict().optional(),
  /** The largest checkpoint interval (tuples between checkpoints) the node may use. */
  checkpointEvery: z.object({ max: z.number().int().positive() }).strict().optional(),
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

export function sourceAllowed(label: string, allowed: readonly string[]): boolean {
  return allowed.some((a) => (a.endsWith('*') ? label.startsWith(a.slice(0, -1)) : label === a));
}
