// The `awre` command line: this file only wires commands into commander. Each
// command lives in its own file beside this one.
import { Command } from 'commander';
import { awreVersion } from '../version.js';

export function buildProgram(): Command {
  return new Command('awre')
    .description(
      'WebAssembly-hosting runtime harness for post-quantum enclaves: ML-KEM, ML-DSA and AES-256-GCM ' +
        'kernels in one wasm module, the WAVEN software MMU, a QRNG feed, and ABW34 audit logs.',
    )
    .version(awreVersion(), '-V, --version', 'print the awre version')
    .showHelpAfterError()
    .exitOverride();
}
