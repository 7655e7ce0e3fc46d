// `awre prove <log> --index <n> | --since <checkpoint file> [--out <file>]`:
// export a C2SP tlog-proof of one tuple under the log's latest checkpoint, or
// a consistency proof from an earlier checkpoint to the latest one.
import type { Command } from 'commander';
import { splitLog } from '../../recorder/log.js';
import { consistencyProofFile, inclusionProofFile } from '../../recorder/proofs.js';
import { tupleLeaf, type Tuple } from '../../recorder/tuple.js';
import { CliFailure, EXIT, readText, writeText } from './io.js';

export interface ProveArgs { log: string; index?: string; since?: string; out?: string }

export function runProve(a: ProveArgs): { kind: 'inclusion' | 'consistency'; file: string } {
  if ((a.index === undefined) === (a.since === undefined)) throw new CliFailure(EXIT.usage, 'prove: give exactly one of --index <n> and --since <checkpoint file>');
  const { lines } = splitLog(readText(a.log, 'log'));
  const leaves = lines.map((l) => tupleLeaf(l));
  const notes: { size: number; note: string }[] = [];
  for (const l of lines) {
    try {
      const t = JSON.parse(l) as Tuple;
      if (t.kind === 'checkpoint' && t.checkpoint) notes.push({ size: t.checkpoint.size, note: t.checkpoint.note });
    } catch { /* awre verify reports malformed lines */ }
  }
  const latest = notes[notes.length - 1];
  if (!latest) throw new CliFailure(EXIT.failed, `prove: ${a.log} holds no checkpoint`);
  if (a.index !== undefined) {
    if (!/^(0|[1-9][0-9]*)$/.test(a.index)) throw new CliFailure(EXIT.usage, `--index: expected a tuple number, got "${a.index}"`);
    const i = Number(a.index);
    if (i >= latest.size) throw new CliFailure(EXIT.usage, `--index: tuple ${i} is not covered by the latest checkpoint (size ${latest.size})`);
    try {
      return { kind: 'inclusion', file: inclusionProofFile(leaves, i, latest.note) };
    } catch (e) {
      throw new CliFailure(EXIT.failed, `prove: the log's latest checkpoint is malformed (${(e as Error).message}); run awre verify`);
    }
  }
  const old = readText(a.since!, 'checkpoint');
  try {
    return { kind: 'consistency', file: consistencyProofFile(leaves, old, latest.note) };
  } catch (e) {
    throw new CliFailure(EXIT.usage, `--since: ${(e as Error).message}`);
  }
}

export function registerProve(program: Command, done: (code: number) => void): void {
  program.command('prove')
    .description('export a proof from an ABW34 log: a C2SP tlog-proof of one tuple (--index) or a consistency proof from an earlier checkpoint (--since)')
    .argument('<log>', 'the ABW34 log')
    .option('--index <n>', 'the tuple to prove included under the latest checkpoint')
    .option('--since <file>', 'an earlier checkpoint (signed note) to prove the latest one extends')
    .option('--out <file>', 'write the proof here instead of standard output')
    .action((log: string, o: Omit<ProveArgs, 'log'>) => {
      const r = runProve({ ...o, log });
      if (o.out === undefined) process.stdout.write(r.file);
      else {
        writeText(o.out, r.file);
      }
      done(EXIT.ok);
    });
}
