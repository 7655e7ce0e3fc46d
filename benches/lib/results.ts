// Where the package lives, versions of installed packages, and the JSON
// result files under benches/results/.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

function readJson(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
}

/** The first directory upward from `from` holding a package.json named `name`. */
function findPackageDir(from: string, name: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const pj = join(dir, 'package.json');
    if (existsSync(pj) && readJson(pj)['name'] === name) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

/** The awre package root (works from benches/ and from dist/benches/). */
export function packageRoot(): string {
  const root = findPackageDir(dirname(fileURLToPath(import.meta.url)), 'awre');
  if (root === undefined) throw new Error('benches: awre package.json not found above ' + import.meta.url);
  return root;
}

/** The installed version of a dependency, found from its resolved entry point. */
export function packageVersion(name: string): string {
  const dir = findPackageDir(dirname(fileURLToPath(import.meta.resolve(name))), name);
  return dir === undefined ? 'unknown' : String(readJson(join(dir, 'package.json'))['version']);
}

/** Writes <suite>-<timestamp>.json and <suite>-latest.json; returns their paths relative to the root. */
export function writeResults(suite: string, data: unknown, when: Date): string[] {
  const root = packageRoot();
  const dir = join(root, 'benches', 'results');
  mkdirSync(dir, { recursive: true });
  const stamp = when.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-'); // no ':' in file names
  const text = JSON.stringify(data, null, 2) + '\n';
  const files = [join(dir, `${suite}-${stamp}.json`), join(dir, `${suite}-latest.json`)];
  for (const f of files) writeFileSync(f, text);
  return files.map((f) => relative(root, f));
}

/** The version in awre's own package.json. */
export function ownVersion(): string {
  return String(readJson(join(packageRoot(), 'package.json'))['version']);
}
