// The `awre` command line (built: dist/host/cli/main.js).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const MAIN = join(ROOT, 'dist', 'host', 'cli', 'main.js');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

function awre(...args: string[]) {
  const r = spawnSync(process.execPath, [MAIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('awre CLI', () => {
  it('--version prints the package.json version and exits 0', () => {
    const r = awre('--version');
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(VERSION);
  });

  it('-V is the same', () => {
    const r = awre('-V');
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(VERSION);
  });

  it('--version works from another working directory', () => {
    const r = spawnSync(process.execPath, [MAIN, '--version'], { cwd: '/', encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(VERSION);
  });

  it('--help exits 0 and mentions awre', () => {
    const r = awre('--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('awre');
    expect(r.stdout).toMatch(/Usage: awre/);
  });

  it('an unknown option exits 2 with a message on stderr', () => {
    const r = awre('--no-such-option');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown option/i);
    expect(r.stdout).toBe('');
  });
});
