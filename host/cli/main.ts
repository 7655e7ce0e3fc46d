#!/usr/bin/env node
// Entry point of the `awre` binary: parse, run, and leave through one exit.
// Exit codes: 0 ok, 1 a check failed, 2 usage, 3 I/O.
import { CommanderError } from 'commander';
import { AwreError } from '../errors.js';
import { CliFailure } from './io.js';
import { buildProgram } from './program.js';

async function main(argv: string[]): Promise<number> {
  let code = 0;
  try {
    await buildProgram((c) => { code = c; }).parseAsync(argv);
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end through here with exitCode 0.
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof CliFailure) {
      console.error(`awre: ${err.message}`);
      return err.code;
    }
    // Anything else is a failed operation, reported in one line (AWRE_DEBUG=1 shows the stack).
    const e = err as Error & { code?: string };
    console.error(`awre: ${e.message ?? String(err)}`);
    if (process.env['AWRE_DEBUG']) console.error(e.stack);
    if (err instanceof AwreError) return err.code === 'LOG_IO' || err.code === 'LOG_LOCKED' ? 3 : 1;
    return typeof e.code === 'string' && /^E[A-Z0-9]+$/.test(e.code) ? 3 : 1; // a system errno: I/O
  }
}

process.exitCode = await main(process.argv);
