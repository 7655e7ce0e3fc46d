// Check 4 of the verifier (docs/abw34.md, "Verification"): replay every
// tenant's page tables from its boot and compare each hash, frame and toggle
// with what the log says. Sparse tables whose encodings are kept
// incrementally (host/waven/encoding.ts), so an event costs what the tenant
// maps, not a scan of 65,536 entries; limits on tenants and on the table
// work keep a hostile log from costing more than a bounded amount.
import { latin1 } from '../host/codec.js';
import { AddressSpaces, type MmuEvent } from '../host/waven/space.js';
import { SparseTables } from '../host/waven/tables.js';
import type { Add } from './verify-findings.js';
import type { StatsCollector } from './verify-stats.js';
import type { Tuple } from './tuple.js';

/** Tenants a log may boot (a run boots three). */
export const MAX_TENANTS = 256;
/** Table entries hashed over the whole replay (each event hashes the tenant's mapped entries): about 512 MiB of hashing. */
export const MAX_TABLE_WORK = 64 * 1024 * 1024;

const MMU_KINDS = new Set(['map', 'protect', 'share', 'unmap']);

interface TenantTables {
  pt: { r: string; w: string };
  /** `r","w":"w` as a call tuple spells them (docs/abw34.md), for the fast path's one comparison. */
  bytes: Uint8Array;
}

export class TableReplay {
  private readonly spaces = new AddressSpaces(() => new SparseTables());
  private readonly current = new Map<string, TenantTables>();
  /** Tenants booted past MAX_TENANTS: not replayed, their tuples not compared. */
  private readonly unreplayed = new Set<string>();
  private work = 0;
  private off = false;
  private last: MmuEvent | undefined;

  constructor(private readonly add: Add, private readonly stats: StatsCollector) {
    this.spaces.onEvent((e) => { this.last = e; });
  }

  /** The tenant's current table hashes as a tuple spells them, `r","w":"w` (undefined: unknown tenant; null: not compared). */
  currentBytes(tenant: string): Uint8Array | undefined | null {
    if (this.off || this.unreplayed.has(tenant)) return null;
    return this.current.get(tenant)?.bytes;
  }

  /** A tuple that carries `pt` but changes no table (seed, call, fault): the hashes must be the current ones. */
  unchanged(i: number, tenant: string, pt: { r: string; w: string }): void {
    if (this.off || this.unreplayed.has(tenant)) return;
    const cur = this.current.get(tenant)?.pt;
    if (cur === undefined || cur.r !== pt.r || cur.w !== pt.w) this.add('pt-unauthorised', i, 'the tables changed without a tuple', { got: pt, expected: cur });
  }

  /** A well-formed tuple: replay it if it is a tenant boot or a table change, else compare its hashes. */
  tuple(i: number, t: Tuple): void {
    if (t.exc !== undefined && !MMU_KINDS.has(t.kind)) this.add('exc-unauthorised', i, `a ${t.kind} tuple carries exception-page toggles`, { got: t.exc });
    if (t.kind === 'fault') this.add('waven-fault', i, `WAVEN fault in tenant "${t.tenant}" at page offset ${t.fault?.offset}`, { got: t.fault, severity: 'warning' });
    if (t.kind === 'boot' && t.tenant !== undefined) this.boot(i, t);
    else if (MMU_KINDS.has(t.kind)) this.change(i, t);
    else if (t.pt !== undefined && t.tenant !== undefined) this.unchanged(i, t.tenant, t.pt);
  }

  private boot(i: number, t: Tuple): void {
    const tenant = t.tenant!;
    if (this.current.size >= MAX_TENANTS && !this.current.has(tenant)) {
      if (!this.unreplayed.has(tenant)) this.add('limit-tenants', i, `more than ${MAX_TENANTS} tenants: tenant "${tenant}" is not replayed`, { got: tenant, expected: `<= ${MAX_TENANTS} tenants` });
      this.unreplayed.add(tenant);
      return;
    }
    try {
      const { exception } = this.spaces.createInstance(tenant);
      if (t.boot?.exception !== exception) this.add('pt-replay', i, 'the tenant\'s exception frame differs from the replay', { got: t.boot?.exception, expected: exception });
      const empty = this.spaces.tables(tenant).hashes();
      if (t.pt?.r !== empty.r || t.pt?.w !== empty.w) this.add('pt-mismatch', i, 'a new tenant\'s tables are not empty', { got: t.pt, expected: empty });
      this.set(tenant, empty);
      this.stats.tenantBoot(tenant, i);
    } catch (e) {
      this.add('pt-replay', i, `tenant boot does not replay: ${(e as Error).message}`);
    }
  }

  private change(i: number, t: Tuple): void {
    const m = t.mmu;
    const tenant = t.tenant;
    if (this.off || (tenant !== undefined && this.unreplayed.has(tenant))) return;
    if (!tenant || !m) { this.add('pt-replay', i, `the ${t.kind} does not replay: missing tenant or mmu fields`); return; }
    if (this.spaces.has(tenant)) {
      this.work += this.spaces.tables(tenant).entries + 2;
      if (this.work > MAX_TABLE_WORK) {
        this.add('limit-table-events', i, `the page-table replay passed its budget of ${MAX_TABLE_WORK} table entries hashed: the tables are not checked from here on`, { expected: `<= ${MAX_TABLE_WORK}` });
        this.off = true;
        return;
      }
    }
    this.last = undefined;
    try {
      if (t.kind === 'map') this.spaces.map(tenant, m.page, m.rights as 'rw' | 'ro');
      else if (t.kind === 'unmap') this.spaces.unmap(tenant, m.page);
      else if (t.kind === 'protect') this.spaces.protect(tenant, m.page, m.rights);
      else this.spaces.share(m.from!.tenant, m.from!.page, tenant, m.page, m.rights as 'rw' | 'ro');
    } catch (e) {
      this.add('pt-replay', i, `the ${t.kind} does not replay: ${(e as Error).message}`);
      return;
    }
    const e = this.last as MmuEvent | undefined;
    if (!e) return;
    this.set(e.instance, e.pt);
    this.stats.mapping(e.instance, i, e.page, e.frame, e.rights, t.kind === 'share');
    if (m.frame !== e.frame) this.add('frame-mismatch', i, 'the frame differs from the replay', { got: m.frame, expected: e.frame });
    if (t.pt?.r !== e.pt.r || t.pt?.w !== e.pt.w) this.add('pt-mismatch', i, 'the table hashes differ from the replay', { got: t.pt, expected: e.pt });
    const want = e.exc.map((x) => ({ page: x.page, table: x.table, on: x.on }));
    const got = t.exc ?? [];
    if (got.length !== want.length || got.some((x, k) => x.page !== want[k]!.page || x.table !== want[k]!.table || x.on !== want[k]!.on)) {
      this.add('exc-mismatch', i, 'the exception-page toggles are not those the change makes', { got: t.exc, expected: want });
    }
  }

  private set(tenant: string, pt: { r: string; w: string }): void {
    this.current.set(tenant, { pt, bytes: latin1(`${pt.r}","w":"${pt.w}`) });
  }
}
