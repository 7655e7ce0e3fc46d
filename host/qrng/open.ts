// Entropy-source specs, as the operator writes them (`--qrng`):
//   sim:<hex> | os | file:<path> | anu:<url|file> | replay:<escrow>
import { AwreError } from '../errors.js';
import { QrngFeed, type FeedOptions } from './feed.js';
import type { EntropySource, SourceOptions } from './source.js';
import { AnuSource } from './sources/anu.js';
import { FileSource } from './sources/file.js';
import { OsSource } from './sources/os.js';
import { SimSource } from './sources/sim.js';

/** The source a spec names. `replay:` is refused here: an auditor's replay goes through ReplayProvider. */
export function openSource(spec: string, options: SourceOptions = {}): EntropySource {
  if (typeof spec !== 'string') throw new TypeError(`"spec" expected string, got type=${typeof spec}`);
  const colon = spec.indexOf(':');
  const kind = colon < 0 ? spec : spec.slice(0, colon);
  const arg = colon < 0 ? '' : spec.slice(colon + 1);
  const need = (what: string): string => {
    if (arg === '') throw new AwreError('QRNG_CONFIG', `"${kind}:" needs ${what} (got "${spec}")`);
    return arg;
  };
  switch (kind) {
    case 'sim': return new SimSource(need('hex seed bytes'), options);
    case 'os':
      if (colon >= 0) throw new AwreError('QRNG_CONFIG', `"os" takes no argument (got "${spec}")`);
      return new OsSource(options);
    case 'file': return new FileSource(need('a path'), options);
    case 'anu': return new AnuSource(need('a URL or a file'), options);
    case 'replay':
      throw new AwreError('QRNG_CONFIG', `"${spec}": a replay source serves escrowed seeds to an auditor's replay (ReplayProvider with the recorder's escrow reader), not a live feed`);
    default:
      throw new AwreError('QRNG_CONFIG', `unknown entropy source "${kind}" in "${spec}": expected sim:<hex>, os, file:<path>, anu:<url|file> or replay:<escrow>`);
  }
}

/** A feed on the source a spec names. */
export function openFeed(spec: string, options: SourceOptions & FeedOptions = {}): QrngFeed {
  return new QrngFeed(openSource(spec, options), options);
}
