#!/usr/bin/env node
// Entry point of the `awre` binary: parse, run, and leave through one exit.
// Exit codes: 0 ok, 1 a check failed, 2 usage, 3 I/O.
import { CommanderError } from 'commander';
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
    throw err;
  }
}

process.exitCode = await main(process.argv);
