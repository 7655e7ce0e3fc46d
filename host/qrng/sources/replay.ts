// replay:<escrow>: the auditor's side (the recorder's escrow, docs/qrng.md).
// A replay does not draw raw samples: it serves, for each (tenant, epoch),
// the seed the node escrowed, after checking it against the commitment the
// log recorded. Reading and decrypting the escrow file is the recorder's job;
// it hands the seeds over through an EscrowReader.
import { AwreError } from '../../errors.js';
import { commitment } from '../condition.js';
import type { SeedMaterial } from '../feed.js';
import type { SeedRequest } from '../seeder.js';

/** One escrowed seed, as the recorder stores it. */
export interface EscrowedSeed {
  tenant: string;
  epoch: number;
  /** The commitment the log recorded for this seed (hex). */
  commitment: string;
  seed: Uint8Array;
  /** The original source's report, for the replayed event to match the recorded one. */
  source: string;
  quantum: boolean;
  bits: number;
  rawBytes: number;
  osMixed: boolean;
  health: SeedMaterial['health'];
}

/** What the recorder's escrow reader provides. */
export interface EscrowReader {
  readonly label: string;
  seed(tenant: string, epoch: number): EscrowedSeed | undefined;
}

/** Seeds from an escrow, each checked against its recorded commitment. */
export class ReplayProvider {
  constructor(readonly reader: EscrowReader) {}

  get label(): string {
    return `replay:${this.reader.label}`;
  }

  async seedFor(req: SeedRequest): Promise<SeedMaterial> {
    const e = this.reader.seed(req.tenant, req.epoch);
    if (!e) throw new AwreError('QRNG_REPLAY', `${this.label}: no escrowed seed for tenant "${req.tenant}" epoch ${req.epoch}`);
    const got = commitment(req.epoch, e.seed);
    if (got !== e.commitment) {
      throw new AwreError('QRNG_REPLAY', `${this.label}: the escrowed seed for tenant "${req.tenant}" epoch ${req.epoch} does not match its commitment`, { expected: e.commitment, got });
    }
    return { seed: Uint8Array.from(e.seed), bits: e.bits, rawBytes: e.rawBytes, osMixed: e.osMixed, source: e.source, quantum: e.quantum, health: e.health };
  }
}
