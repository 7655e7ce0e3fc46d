// The `awre` command line: this file only wires commands into commander. Each
// command lives in its own file beside this one.
import { Command } from 'commander';
import { awreVersion } from '../version.js';
import { registerBench } from './bench.js';
import { registerInit } from './init.js';
import { registerInspect } from './inspect.js';
import { registerKeygen } from './keygen.js';
import { registerProve } from './prove.js';
import { registerPublish } from './publish.js';
import { registerRun } from './run.js';
import { registerServe } from './serve.js';
import { registerVerify } from './verify.js';
import { registerWitness } from './witness.js';

/** `done` receives the exit code of the command that ran. */
export function buildProgram(done: (code: number) => void = () => {}): Command {
  const program = new Command('awre')
    .description(
      'WebAssembly-hosting runtime harness for post-quantum enclaves: ML-KEM, ML-DSA and AES-256-GCM ' +
        'kernels in one wasm module, the WAVEN software MMU, a QRNG feed, and ABW34 audit logs.',
    )
    .version(awreVersion(), '-V, --version', 'print the awre version')
    .showHelpAfterError()
    .exitOverride();
  registerInit(program, done);
  registerRun(program, done);
  registerVerify(program, done);
  registerKeygen(program, done);
  registerInspect(program, done);
  registerBench(program, done);
  registerProve(program, done);
  registerPublish(program, done);
  registerWitness(program, done);
  registerServe(program, done);
  return program;
}
