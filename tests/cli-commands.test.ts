// The commands a new user meets, driven as child processes and through their
// run functions: `awre run` followed by the `awre verify` command it prints,
// --json parsed, usage errors (exit 2, naming the option), an unwritable
// --out (exit 3); `awre inspect` on both builds and on broken input;
// `awre bench` on a quick suite.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { runRun, shellWord } from '../host/cli/run.js';
import { runInspect } from '../host/cli/inspect.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const MAIN = join(ROOT, 'dist', 'host', 'cli', 'main.js');
const awre = (cwd: string, ...args: string[]) => {
  const r = spawnSync(process.execPath, [MAIN, ...args], { cwd, encoding: 'utf8', timeout: 240_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};
const temp = () => mkdtempSync(join(tmpdir(), 'awre-cli-'));

describe('awre run', () => {
  it('runs on embedded defaults, and the verify command it prints passes', () => {
    const dir = temp();
    const r = awre(dir, 'run');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe(''); // no progress bar when piped
    const cmd = r.stdout.trim().split('\n').pop()!.trim();
    expect(cmd).toBe('npx awre verify awre-run/abw34.log --key awre-run/attestation.pub.json');
    for (const f of ['abw34.log', 'attestation.pub.json', 'checkpoint.txt', 'checkpoints', 'summary.json', 'summary.dsse.json']) expect(existsSync(join(dir, 'awre-run', f)), f).toBe(true);
    const since = readdirSync(join(dir, 'awre-run', 'checkpoints')).sort()[0]!;
    expect(awre(dir, 'verify', 'awre-run/abw34.log', '--key', 'awre-run/attestation.pub.json', '--since', `awre-run/checkpoints/${since}`).status).toBe(0);
    const v = awre(dir, ...cmd.split(' ').slice(2));
    expect(v.status, v.stdout + v.stderr).toBe(0);
    expect(v.stdout).toMatch(/OK: every check holds/);
  });

  it('--json carries the result; with --auditor-key the printed command replays the escrow and passes', () => {
    const dir = temp();
    expect(awre(dir, 'keygen', '--auditor').status).toBe(0);
    const r = awre(dir, 'run', '--out', 'out', '--qrng', 'sim:c0de', '--sessions', '3', '--frames', '2', '--auditor-key', 'auditor.pub.json', '--json');
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as { sessions: number; tuples: number; entropy: { source: string; quantum: boolean }; latencyMs: { handshake: { n: number } }; verify: string; files: { escrow: string } };
    expect(j.sessions).toBe(3);
    expect(j.latencyMs.handshake.n).toBe(3);
    expect(j.entropy.quantum).toBe(false);
    expect(j.entropy.source).toMatch(/^sim#/);
    expect(existsSync(join(dir, j.files.escrow))).toBe(true);
    expect(j.verify).toBe('npx awre verify out/abw34.log --key out/attestation.pub.json --escrow out/abw34.escrow --auditor-key auditor.key.json');
    const v = awre(dir, ...j.verify.split(' ').slice(2), '--json');
    expect(v.status, v.stdout).toBe(0);
    expect(JSON.parse(v.stdout)).toMatchObject({ ok: true, replayed: true, findings: [] });
    expect(JSON.parse(readFileSync(join(dir, 'out', 'summary.json'), 'utf8')).tuples).toBe(j.tuples);
  });

  it('usage errors exit 2 naming the option; an unwritable --out exits 3; an earlier run is kept unless --force', () => {
    const dir = temp();
    for (const [args, opt] of [[['--sessions', '0'], '--sessions'], [['--frames', 'x'], '--frames'], [['--qrng', 'nope:1'], '--qrng'], [['--auditor-key', 'missing.json'], 'auditor']] as const) {
      const r = awre(dir, 'run', ...args);
      expect(r.status, args.join(' ')).toBe(args[0] === '--auditor-key' ? 3 : 2);
      expect(r.stderr).toContain(opt);
    }
    writeFileSync(join(dir, 'afile'), '');
    const u = awre(dir, 'run', '--out', 'afile/sub');
    expect(u.status).toBe(3);
    expect(u.stderr).toMatch(/--out: cannot write to afile\/sub/);
    expect(awre(dir, 'run', '--frames', '1').status).toBe(0);
    const again = awre(dir, 'run', '--frames', '1');
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/--force/);
    expect(awre(dir, 'run', '--frames', '1', '--force').status).toBe(0);
  });

  it('paths the shell would mangle are quoted in the printed command; --quantum declares a file: source quantum', () => {
    const dir = temp();
    writeFileSync(join(dir, 'qdev.bin'), Buffer.alloc(8192, 0).map((_, i) => (i * 2654435761) >>> 24));
    const r = awre(dir, 'run', '--out', "it's a&b", '--frames', '1', '--qrng', 'file:qdev.bin', '--quantum', '--min-entropy', '7.5', '--json');
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as { verify: string; entropy: { quantum: boolean } };
    expect(j.entropy.quantum).toBe(true);
    expect(j.verify).toBe(`npx awre verify 'it'\\''s a&b/abw34.log' --key 'it'\\''s a&b/attestation.pub.json'`);
    const sh = spawnSync('sh', ['-c', j.verify.replace('npx awre', `${JSON.stringify(process.execPath)} ${JSON.stringify(MAIN)}`)], { cwd: dir, encoding: 'utf8' });
    expect(sh.status, sh.stdout + sh.stderr).toBe(0);
    const pol = join(dir, 'p.json');
    // The node records the file's absolute, normalised path; a policy matches it by directory.
    writeFileSync(pol, JSON.stringify({ entropy: { quantum: true, sources: [`file:${dir}/*`] } }));
    expect(awre(dir, 'verify', "it's a&b/abw34.log", '--key', "it's a&b/attestation.pub.json", '--policy', 'p.json').status).toBe(0);
    writeFileSync(pol, JSON.stringify({ entropy: { quantum: true, sources: ['file:/dev/*'] } }));
    expect(awre(dir, 'verify', "it's a&b/abw34.log", '--key', "it's a&b/attestation.pub.json", '--policy', 'p.json').status).toBe(1);
    writeFileSync(pol, JSON.stringify({ entropy: { sources: ['file:*'] } }));
    const bad = awre(dir, 'verify', "it's a&b/abw34.log", '--key', "it's a&b/attestation.pub.json", '--policy', 'p.json');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--policy: policy: entropy\.sources\.0: a file: pattern is an absolute, normalised directory/);
    expect(awre(dir, 'run', '--out', 'z', '--quantum').status).toBe(2);
  });

  // Every shape a path in the printed command can take: it must reach awre as
  // one argument, unchanged, and never read as an option.
  const SHAPES = ['out', 'a/b/c', '-y', '--help', '-', 'a/-b', '.', '..', '../up', '/abs/olute', "it's", 'a&b', 'x y', 'tab\tin', 'new\nline',
    '$HOME', '`id`', '$(id)', 'semi;colon', 'pipe|x', 'star*', 'q?', '[ab]', '~', '~user', 'back\\slash', 'bang!', '"dq"', '#hash', 'a=b', 'ünï', '{a,b}', '%+@:,'];

  it('shellWord: every path shape is one shell word that sh reads back unchanged, never as an option', () => {
    const words = SHAPES.map(shellWord);
    const sh = spawnSync('sh', ['-c', `printf '%s\\0' ${words.join(' ')}`], { encoding: 'utf8' });
    expect(sh.status, sh.stderr).toBe(0);
    const back = sh.stdout.split('\0').slice(0, -1);
    expect(back).toEqual(SHAPES.map((p) => (p.startsWith('-') ? `./${p}` : p)));
    for (const w of back) expect(w.startsWith('-'), w).toBe(false);
  });

  it('--out starting with a dash, an absolute --out elsewhere and an auditor key starting with a dash: the printed command passes as printed', () => {
    const dir = temp();
    const elsewhere = temp();
    expect(awre(dir, 'keygen', '--auditor', '--out=-k').status).toBe(0);
    const cases: [string[], RegExp][] = [
      [['--out=-y'], /^npx awre verify \.\/-y\/abw34\.log --key \.\/-y\/attestation\.pub\.json$/],
      [['--out=--help'], /^npx awre verify \.\/--help\/abw34\.log --key \.\/--help\/attestation\.pub\.json$/],
      [['--out', join(elsewhere, 'r un')], /^npx awre verify '\.\.\/.*\/r un\/abw34\.log' --key '\.\.\/.*\/r un\/attestation\.pub\.json'$/],
      [['--out=-e', '--auditor-key=-k/auditor.pub.json'], /^npx awre verify \.\/-e\/abw34\.log --key \.\/-e\/attestation\.pub\.json --escrow \.\/-e\/abw34\.escrow --auditor-key \.\/-k\/auditor\.key\.json$/],
    ];
    for (const [args, want] of cases) {
      const r = awre(dir, 'run', ...args, '--frames', '1', '--json');
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      const { verify } = JSON.parse(r.stdout) as { verify: string };
      expect(verify, args.join(' ')).toMatch(want);
      const sh = spawnSync('sh', ['-c', verify.replace('npx awre', `${JSON.stringify(process.execPath)} ${JSON.stringify(MAIN)}`)], { cwd: dir, encoding: 'utf8' });
      expect(sh.status, `${verify}: ${sh.stdout}${sh.stderr}`).toBe(0);
      expect(sh.stdout).toMatch(/OK: every check holds/);
    }
  });

  it('through its run function: the same result object', async () => {
    const dir = temp();
    const r = await runRun({ out: join(dir, 'o'), qrng: 'sim:01', sessions: 2, frames: 1, frameBytes: 64, checkpointEvery: 5 });
    expect(r.tuples).toBeGreaterThan(40);
    expect(Object.keys(r.tables)).toEqual(['attest', 'initiator', 'responder']);
    expect(r.latencyMs.frame.n).toBe(4);
  });
});

describe('awre inspect', () => {
  it('reports both builds', async () => {
    const plain = await runInspect(join(ROOT, 'build', 'enclave.wasm'), {});
    expect(plain).toMatchObject({ build: 'plain', abi: 2, imports: [], customSections: [] });
    expect(plain.exports.map((e) => e.name)).toContain('pqc_handshake');
    const waven = await runInspect(join(ROOT, 'build', 'enclave.waven.wasm'), { wat: true });
    expect(waven).toMatchObject({ build: 'waven', abi: 2 });
    expect(waven.memory?.imported).toBe(true);
    expect(waven.imports.map((i) => `${i.module}.${i.name}`)).toEqual(expect.arrayContaining(['waven.memory', 'waven.rt', 'waven.wt']));
    expect(waven.wat).toMatch(/^\(module/);
    const r = awre(ROOT, 'inspect', 'build/enclave.wasm', '--json');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).sha256).toBe(plain.sha256);
  });

  it('a tiny valid module is read; a module whose abi_version never returns does not hang inspect', async () => {
    const dir = temp();
    writeFileSync(join(dir, 'm.wasm'), Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0));
    expect(await runInspect(join(dir, 'm.wasm'), {})).toMatchObject({ bytes: 8, build: 'foreign', abi: null });
    const wabt = await (await import('wabt')).default();
    const loop = wabt.parseWat('loop.wat', '(module (func (export "abi_version") (result i32) (loop (br 0)) (i32.const 1)))').toBinary({}).buffer;
    writeFileSync(join(dir, 'loop.wasm'), loop);
    const r = await runInspect(join(dir, 'loop.wasm'), {});
    expect(r).toMatchObject({ build: 'plain', abi: null });
  }, 60_000); // a hang fails by this timeout (the worker's own is 3 s), not by a wall-clock assertion

  it('a truncated or foreign file is a clear error (exit 1), a missing one exit 3', () => {
    const dir = temp();
    writeFileSync(join(dir, 't.wasm'), readFileSync(join(ROOT, 'build', 'enclave.wasm')).subarray(0, 1000));
    const t = awre(dir, 'inspect', 't.wasm');
    expect(t.status).toBe(1);
    expect(t.stderr).toMatch(/not a valid WebAssembly module \(1000 bytes\)/);
    expect(t.stderr).not.toMatch(/at .*\.js:\d+/); // no stack trace
    expect(awre(dir, 'inspect', join(ROOT, 'package.json')).status).toBe(1);
    expect(awre(dir, 'inspect', 'missing.wasm').status).toBe(3);
  });
});

describe('awre bench', () => {
  it('runs a quick suite, writes JSON and an SVG chart; an unknown suite exits 2', () => {
    const dir = temp();
    const r = awre(dir, 'bench', '--suite', 'recorder', '--quick', '--svg', 'chart.svg');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/machine: .*cores.*Node v\d+.*V8/);
    const j = JSON.parse(readFileSync(join(dir, 'awre-bench.json'), 'utf8')) as { ratios: { ratio: number }[]; machine: { cpu: string } };
    expect(j.ratios.length).toBe(1);
    expect(readFileSync(join(dir, 'chart.svg'), 'utf8')).toMatch(/^<svg[\s\S]*<rect[\s\S]*<\/svg>\n$/);
    expect(awre(dir, 'bench', '--suite', 'recorder', '--quick', '--out', dir).status).toBe(3); // a directory: refused before measuring
    const u = awre(dir, 'bench', '--suite', 'nope');
    expect(u.status).toBe(2);
    expect(u.stderr).toMatch(/--suite: unknown suite nope/);
  });
});

describe('awre init, run --node, verify --node (issue 14)', () => {
  it('init makes a node once; a certified run with a challenge verifies against the enrolled identity; misuse and a spoiled node are clear errors', () => {
    const dir = temp();
    const i = awre(dir, 'init', '--node', 'n', '--name', 'awre.test/cli-node', '--json');
    expect(i.status, i.stderr).toBe(0);
    const init = JSON.parse(i.stdout) as { fingerprint: string; identity: string; publicKey: string };
    expect(init.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(createHash('sha256').update(Buffer.from(init.publicKey, 'base64')).digest('hex')).toBe(init.fingerprint);
    expect(JSON.parse(readFileSync(join(dir, 'n', 'identity.pub.json'), 'utf8')).publicKey).toBe(init.publicKey);
    const again = awre(dir, 'init', '--node', 'n');
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/never replaced/);
    const ch = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
    const r = awre(dir, 'run', '--node', 'n', '--challenge', ch, '--out', 'r', '--frames', '1', '--json');
    expect(r.status, r.stderr).toBe(0);
    const run = JSON.parse(r.stdout) as { verify: string; node: { run: number; fingerprint: string } };
    expect(run.node).toMatchObject({ run: 1, fingerprint: init.fingerprint });
    expect(run.verify).toBe(`npx awre verify r/abw34.log --node n/identity.pub.json --challenge ${ch}`);
    const v = awre(dir, 'verify', 'r/abw34.log', '--node', 'n/identity.pub.json', '--challenge', ch);
    expect(v.status, v.stdout).toBe(0);
    expect(v.stdout).toMatch(/identity-certified: yes, run 1 of node/);
    expect(v.stdout).toMatch(/fresh for the challenge: yes/);
    const w = awre(dir, 'verify', 'r/abw34.log', '--node', 'n/identity.pub.json', '--challenge', 'ff'.repeat(16), '--json');
    expect(w.status).toBe(1);
    expect((JSON.parse(w.stdout) as { findings: { event: string }[] }).findings.map((f) => f.event)).toEqual(['challenge-mismatch']);
    expect(awre(dir, 'verify', 'r/abw34.log').status).toBe(2);
    expect(awre(dir, 'verify', 'r/abw34.log', '--node', 'n/identity.pub.json', '--challenge', 'xyz').status).toBe(2);
    expect(awre(dir, 'run', '--challenge', ch, '--out', 'r2').status).toBe(2);
    // A spoiled sealed file: the run refuses, naming --node; no new identity appears.
    const sealed = join(dir, 'n', 'identity.sealed.json');
    const good = readFileSync(sealed, 'utf8');
    const pub = readFileSync(join(dir, 'n', 'identity.pub.json'), 'utf8');
    expect(good).toContain('"runs": 1');
    writeFileSync(sealed, good.replace('"runs": 1', '"runs": 0'));
    const bad = awre(dir, 'run', '--node', 'n', '--out', 'r3', '--frames', '1');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/--node: .*does not open here/);
    expect(readFileSync(join(dir, 'n', 'identity.pub.json'), 'utf8')).toBe(pub);
    expect(readFileSync(sealed, 'utf8')).not.toBe(good); // left as spoiled: nothing rewrote it
    const missing = awre(dir, 'run', '--node', 'nowhere', '--out', 'r4', '--frames', '1');
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/--node: .*awre init/);
  });
});
