// What every command shares: the exit codes, typed failures, and reading files.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';

export const EXIT = { ok: 0, failed: 1, usage: 2, io: 3 } as const;

/** A failure that ends the command with a code and a message (no stack trace). */
export class CliFailure extends Error {
  constructor(readonly code: 1 | 2 | 3, message: string) {
    super(message);
  }
}

export function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new CliFailure(EXIT.io, `cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

export function readBytes(path: string, what: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new CliFailure(EXIT.io, `cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** Write a file, or fail with exit 3 naming it. */
export function writeText(path: string, text: string): void {
  try {
    writeFileSync(path, text);
  } catch (e) {
    throw new CliFailure(EXIT.io, `cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** Parse with a function that throws TypeError on bad content: a usage error naming the option. */
export function parseWith<T>(fn: () => T, option: string): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof CliFailure) throw e; // an I/O failure stays one
    throw new CliFailure(EXIT.usage, `${option}: ${(e as Error).message}`);
  }
}

/** mkdir -p, one component at a time (Node 20's recursive mkdir spins on some paths, e.g. under /proc). */
export function makeDirs(dir: string): void {
  const abs = resolve(dir);
  const parts = abs.split(sep).filter((p) => p !== '');
  let at = abs.startsWith(sep) ? sep : '';
  for (const p of parts) {
    at = join(at, p);
    if (!existsSync(at)) mkdirSync(at);
  }
}
