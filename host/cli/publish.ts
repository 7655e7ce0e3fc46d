// `awre publish <run-dir> <out-dir> [--json]`: a run's ABW34 log as a static
// C2SP tlog-tiles log (docs/tiles.md), to serve with any static web server
// and check with `awre verify <url>`.
import type { Command } from 'commander';
import { AwreError } from '../errors.js';
import { publishLog, type PublishResult } from '../../recorder/tiles-publish.js';
import { TilesError } from '../../recorder/tiles.js';
import { CliFailure, EXIT } from './io.js';

export function runPublish(runDir: string, outDir: string): PublishResult {
  try {
    return publishLog(runDir, outDir);
  } catch (e) {
    if (e instanceof TilesError) throw new CliFailure(e.problem === 'out-dir' ? EXIT.usage : EXIT.failed, `publish: ${e.message}`);
    if (e instanceof AwreError || (e as NodeJS.ErrnoException).code !== undefined) {
      throw new CliFailure(EXIT.io, `publish: ${(e as Error).message}`);
    }
    throw e;
  }
}

export function renderPublish(r: PublishResult): string {
  const out = [
    `published ${r.size} entries of ${r.origin} to ${r.outDir}`,
    `  root ${r.root}, ${r.final ? 'the final checkpoint' : 'NOT the final checkpoint (the run did not finish)'}, served from ${r.checkpointFrom === 'log' ? 'the log' : 'checkpoint.txt'}${r.cosignatures ? ` with ${r.cosignatures} cosignature(s)` : ''}`,
    `  files: checkpoint, ${r.bundles} entry bundle(s), ${r.tiles} hash tile(s) (${r.entryBytes} bytes of entries)`,
  ];
  if (r.leftOut.lines || r.leftOut.tornBytes) {
    out.push(`  left out: ${r.leftOut.lines} line(s) after the last checkpoint tuple${r.leftOut.tornBytes ? `, and a torn tail of ${r.leftOut.tornBytes} bytes` : ''}: no checkpoint covers them`);
  }
  out.push(r.key
    ? '  attestation.pub.json copied beside it: a convenience, not part of tlog-tiles; an auditor pins keys out of band'
    : '  no attestation.pub.json in the run directory');
  out.push('serve the directory over HTTP(S), then check it:', `  npx awre verify https://<host>/<path> --key <the run's attestation key, pinned>`);
  return out.join('\n');
}

export function registerPublish(program: Command, done: (code: number) => void): void {
  program.command('publish')
    .description('publish a run\'s ABW34 log as a static C2SP tlog-tiles log (checkpoint, tile/<L>/<N>, tile/entries/<N>) for awre verify <url>')
    .argument('<run-dir>', 'the run directory (abw34.log, checkpoint.txt, attestation.pub.json)')
    .argument('<out-dir>', 'a new or empty directory to write the tiles into')
    .option('--json', 'print the result as JSON')
    .action((runDir: string, outDir: string, o: { json?: boolean }) => {
      const r = runPublish(runDir, outDir);
      console.log(o.json ? JSON.stringify(r, null, 2) : renderPublish(r));
      done(EXIT.ok);
    });
}
