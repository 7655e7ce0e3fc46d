// Seeding the enclave DRBG from a seed provider (the QRNG feed, or a replay):
// instantiate at boot, reseed before the DRBG's interval and on demand. Every
// seed emits an event with a commitment; the seed itself goes only to the
// escrow hook (the recorder's) and into the enclave, and is zeroed after.
//
// DRBG inputs (docs/qrng.md):
//   boot:    drbg_instantiate(entropy = seed, nonce = empty, pers = "awre-qrng-v1")
//   reseed:  drbg_reseed(entropy = seed, additional = le64 epoch)
// The seed is 384 bits of full entropy, which covers the DRBG's 256-bit
// strength and the nonce's extra half (SP 800-90A 8.6.7), so no nonce is
// needed and a replay needs nothing that is not in the log or the escrow.
import { DRBG_RESEED_INTERVAL } from '../../abi/lengths.js';
import { leBytes } from '../bytes.js';
import type { Enclave } from '../enclave/enclave.js';
import { AwreError, checkStatus } from '../errors.js';
import { commitment } from './condition.js';
import type { FeedCounters, SeedMaterial } from './feed.js';

/** Requests left unused before the DRBG's interval, for the calls of one operation. */
export const RESEED_HEADROOM = 256;
export const PERSONALIZATION = new TextEncoder().encode('awre-qrng-v1');

export type SeedKind = 'seed' | 'reseed';
export type SeedReason = 'boot' | 'interval' | 'demand';

export interface SeedRequest {
  kind: SeedKind;
  tenant: string;
  epoch: number;
}

/** Anything that can hand out seeds: the QRNG feed, or a replay of an escrow. */
export interface SeedProvider {
  seedFor(req: SeedRequest): Promise<SeedMaterial>;
}

/** The event of one seed or reseed: what the recorder logs (no seed bytes). */
export interface SeedEvent {
  kind: SeedKind;
  reason: SeedReason;
  tenant: string;
  epoch: number;
  source: string;
  quantum: boolean;
  bits: number;
  rawBytes: number;
  osMixed: boolean;
  /** DRBG requests served since the previous seed (reseeds only). */
  requests?: number;
  health: FeedCounters;
  commitment: string;
}

/** What the escrow hook receives: the seed (a copy it owns) and how to find it again. */
export interface EscrowRecord {
  kind: SeedKind;
  tenant: string;
  epoch: number;
  commitment: string;
  seed: Uint8Array;
  material: Omit<SeedMaterial, 'seed'>;
}

export interface SeederOptions {
  /** Reseed once the DRBG has served this many requests (default: its interval less RESEED_HEADROOM). */
  reseedAfter?: number;
  escrow?: (record: EscrowRecord) => void;
  onEvent?: (event: SeedEvent) => void;
}

export class DrbgSeeder {
  readonly reseedAfter: number;
  private readonly epochs = new Map<string, number>();
  /** Per-tenant queue: reseeds of one tenant run one after the other (epochs never repeat). */
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly listeners: ((e: SeedEvent) => void)[] = [];

  constructor(private readonly provider: SeedProvider, private readonly options: SeederOptions = {}) {
    const max = DRBG_RESEED_INTERVAL - RESEED_HEADROOM;
    this.reseedAfter = options.reseedAfter ?? max;
    if (!Number.isSafeInteger(this.reseedAfter) || this.reseedAfter < 1 || this.reseedAfter > max) {
      throw new AwreError('QRNG_CONFIG', `"reseedAfter" expected an integer in [1, ${max}] (DRBG requests), got ${options.reseedAfter}`);
    }
    if (options.onEvent) this.listeners.push(options.onEvent);
  }

  onEvent(listener: (e: SeedEvent) => void): void {
    this.listeners.push(listener);
  }

  /** The epoch of a tenant's current seed (0 after boot), or undefined before boot. */
  epoch(tenant: string): number | undefined {
    return this.epochs.get(tenant);
  }

  /** Instantiate the tenant's DRBG from a fresh seed (epoch 0). */
  async boot(enclave: Enclave, tenant = tenantOf(enclave)): Promise<SeedEvent> {
    return this.serial(tenant, () => {
      if (this.epochs.has(tenant)) throw new AwreError('QRNG_CONFIG', `tenant "${tenant}" was booted already: give each enclave its own tenant name`);
      return this.apply(enclave, { kind: 'seed', tenant, epoch: 0 }, 'boot');
    });
  }

  /** Reseed now (operator's demand, or the interval). */
  async reseed(enclave: Enclave, reason: Exclude<SeedReason, 'boot'> = 'demand', tenant = tenantOf(enclave)): Promise<SeedEvent> {
    return this.serial(tenant, () => this.reseedNow(enclave, reason, tenant));
  }

  /** Reseed when the DRBG has served `reseedAfter` requests; call before each operation. */
  async maybeReseed(enclave: Enclave, tenant = tenantOf(enclave)): Promise<SeedEvent | undefined> {
    return this.serial(tenant, () => {
      const n = enclave.exports.drbg_requests();
      if (n < 0) checkStatus(n, `tenant "${tenant}": drbg_requests`);
      return n >= this.reseedAfter ? this.reseedNow(enclave, 'interval', tenant) : Promise.resolve(undefined);
    });
  }

  private reseedNow(enclave: Enclave, reason: Exclude<SeedReason, 'boot'>, tenant: string): Promise<SeedEvent> {
    const epoch = this.epochs.get(tenant);
    if (epoch === undefined) throw new AwreError('DRBG_UNSEEDED', `tenant "${tenant}": reseed before boot`);
    return this.apply(enclave, { kind: 'reseed', tenant, epoch: epoch + 1 }, reason);
  }

  private serial<T>(tenant: string, fn: () => Promise<T>): Promise<T> {
    const run = (this.queues.get(tenant) ?? Promise.resolve()).then(fn, fn);
    this.queues.set(tenant, run.catch(() => undefined));
    return run;
  }

  private async apply(enclave: Enclave, req: SeedRequest, reason: SeedReason): Promise<SeedEvent> {
    const requests = req.kind === 'reseed' ? enclave.exports.drbg_requests() : undefined;
    const m = await this.provider.seedFor(req);
    try {
      const c = commitment(req.epoch, m.seed);
      const { seed, ...material } = m;
      this.feedEnclave(enclave, req, seed);
      // Escrow only a seed the DRBG took; if the escrow cannot keep it, the DRBG must not use it.
      try {
        this.options.escrow?.({ kind: req.kind, tenant: req.tenant, epoch: req.epoch, commitment: c, seed: Uint8Array.from(seed), material });
      } catch (err) {
        enclave.exports.drbg_uninstantiate();
        throw err;
      }
      this.epochs.set(req.tenant, req.epoch);
      const event: SeedEvent = {
        kind: req.kind, reason, tenant: req.tenant, epoch: req.epoch, source: m.source, quantum: m.quantum,
        bits: m.bits, rawBytes: m.rawBytes, osMixed: m.osMixed, health: m.health, commitment: c,
        ...(requests === undefined ? {} : { requests }),
      };
      for (const l of this.listeners) l(event);
      return event;
    } finally {
      m.seed.fill(0);
    }
  }

  /** Pass the seed through the I/O window and wipe what was written, whatever the status. */
  private feedEnclave(enclave: Enclave, req: SeedRequest, seed: Uint8Array): void {
    const x = enclave.exports;
    const extra = req.kind === 'seed' ? PERSONALIZATION : leBytes(req.epoch, 8);
    try {
      const ptr = enclave.put(0, seed);
      const ep = enclave.put(seed.length, extra);
      const st = req.kind === 'seed'
        ? x.drbg_instantiate(ptr, seed.length, ptr, 0, ep, extra.length)
        : x.drbg_reseed(ptr, seed.length, ep, extra.length);
      checkStatus(st, `tenant "${req.tenant}": drbg_${req.kind === 'seed' ? 'instantiate' : 'reseed'}`);
    } finally {
      enclave.wipe(0, seed.length + extra.length);
    }
  }
}

function tenantOf(enclave: Enclave): string {
  return enclave.instance ?? 'enclave';
}
