// awre's own version, read from the package.json beside build/ and host/.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { modulePath } from './enclave/module.js';

let cached: string | undefined;

/** The `version` field of awre's package.json. */
export function awreVersion(): string {
  if (cached === undefined) {
    const root = dirname(dirname(modulePath()));
    cached = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
  }
  return cached;
}
