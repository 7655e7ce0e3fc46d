// The mutation list (scripts/mutants.json, docs/mutants.md) stays plantable:
// every mutant's text occurs exactly once in its file, and its test files
// exist. `npm run mutants` reports a stale mutant too, but it is not part of
// `npm test`; this check is, so an edit that moves a mutant's text fails CI
// at once instead of silently dropping the mutant.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
interface Mutant { id: string; file?: string; find?: string; replace?: string; env?: Record<string, string>; tests: string[] }
const raw = JSON.parse(readFileSync(join(ROOT, 'scripts', 'mutants.json'), 'utf8')) as Mutant[] | { mutants: Mutant[] };
const MUTANTS = Array.isArray(raw) ? raw : raw.mutants;

const occurrences = (text: string, find: string) => text.split(find).length - 1;

describe('scripts/mutants.json', () => {
  it('has mutants with distinct ids', () => {
    expect(MUTANTS.length).toBeGreaterThanOrEqual(30);
    expect(new Set(MUTANTS.map((m) => m.id)).size).toBe(MUTANTS.length);
  });
  for (const m of MUTANTS) {
    const what = m.file ? `its text occurs once in ${m.file} and differs from its replacement` : 'it plants an environment';
    it(`${m.id}: ${what}; its tests exist`, () => {
      if (m.file !== undefined || m.find !== undefined) {
        expect(occurrences(readFileSync(join(ROOT, m.file!), 'utf8'), m.find!), `${m.id} in ${m.file}`).toBe(1);
        expect(m.replace).not.toBe(m.find);
      } else {
        expect(Object.keys(m.env ?? {}).length, `${m.id}: neither a text nor an environment`).toBeGreaterThan(0);
      }
      for (const t of m.tests) expect(existsSync(join(ROOT, t.split(' ')[0]!)), t).toBe(true);
    });
  }
});
