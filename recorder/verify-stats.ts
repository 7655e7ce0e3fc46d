// Gathers RunStats (recorder/stats.ts) as the verifier streams: counts per
// kind, a timeline whose buckets double in width when full, capped marks,
// each tenant's page mappings as intervals, the last entropy health per
// tenant, and the tuples findings point at.
import { MAX_EXCERPT, MAX_KINDS, MAX_EXCERPTS, MAX_INTERVALS, MAX_MAP_TENANTS, MAX_MARKS, TIMELINE_BUCKETS, type EntropyState, type MapInterval, type RunStats, type TenantMap } from './stats.js';

type MarkKind = keyof RunStats['marks'];

export class StatsCollector {
  // Null-prototype records: a key is a name from the log ("__proto__" included).
  private readonly kinds: Record<string, number> = Object.create(null) as Record<string, number>;
  private distinct = 0;
  private width = 1;
  private buckets: Record<string, number>[] = [];
  private readonly marks: RunStats['marks'] = {
    checkpoint: { seqs: [], dropped: 0 }, reseed: { seqs: [], dropped: 0 }, fault: { seqs: [], dropped: 0 }, health: { seqs: [], dropped: 0 },
  };
  private readonly tenants = new Map<string, TenantMap & { open: Map<number, MapInterval> }>();
  private readonly entropy = new Map<string, EntropyState>();
  private readonly healthEvents: Record<string, number> = Object.create(null) as Record<string, number>;
  private readonly excerpts: { seq: number; line: string }[] = [];
  private readonly quoted = new Set<number>();
  /** Frames mapped by more than one tenant at once (a share). */
  private readonly sharedFrames = new Set<number>();

  kind(seq: number, name: string): void {
    const kind = this.pooled(this.kinds, name);
    if (this.kinds[kind] === undefined) this.distinct++;
    this.kinds[kind] = (this.kinds[kind] ?? 0) + 1;
    let i = Math.floor(seq / this.width);
    while (i >= TIMELINE_BUCKETS) {
      this.merge();
      i = Math.floor(seq / this.width);
    }
    while (this.buckets.length <= i) this.buckets.push(Object.create(null) as Record<string, number>);
    const b = this.buckets[i]!;
    b[kind] = (b[kind] ?? 0) + 1;
  }

  mark(kind: MarkKind, seq: number): void {
    const m = this.marks[kind];
    if (m.seqs.length < MAX_MARKS) m.seqs.push(seq);
    else m.dropped++;
  }

  tenantBoot(tenant: string, seq: number): void {
    if (this.tenants.size >= MAX_MAP_TENANTS || this.tenants.has(tenant)) return;
    this.tenants.set(tenant, { tenant, boot: seq, intervals: [], dropped: 0, open: new Map() });
  }

  /** A page of a tenant now maps `frame` with `rights` (none: unmapped), from tuple `seq`. */
  mapping(tenant: string, seq: number, page: number, frame: number, rights: 'rw' | 'ro' | 'none', share: boolean): void {
    if (share) this.sharedFrames.add(frame);
    const tm = this.tenants.get(tenant);
    if (!tm) return;
    const open = tm.open.get(page);
    if (open) { open.to = seq; tm.open.delete(page); }
    if (rights === 'none' && !share) return;
    const iv: MapInterval = { page, frame, rights, shared: share || this.sharedFrames.has(frame), from: seq, to: null };
    if (tm.intervals.length >= MAX_INTERVALS) { tm.dropped++; return; }
    tm.intervals.push(iv);
    tm.open.set(page, iv);
  }

  entropyState(s: EntropyState): void {
    this.entropy.set(s.tenant, s);
  }

  healthEvent(name: string): void {
    const kind = this.pooled(this.healthEvents, name);
    this.healthEvents[kind] = (this.healthEvents[kind] ?? 0) + 1;
  }

  /** A name as counted: itself among the first MAX_KINDS distinct ones, else "other" (a log chooses its names, the report stays bounded). */
  private pooled(counts: Record<string, number>, name: string): string {
    if (counts[name] !== undefined) return name;
    const distinct = counts === this.kinds ? this.distinct : Object.keys(counts).length;
    return distinct < MAX_KINDS ? name : 'other';
  }

  /** Quote the tuple a finding points at (the first MAX_EXCERPTS). */
  excerpt(seq: number, line: () => string): void {
    if (this.excerpts.length >= MAX_EXCERPTS || this.quoted.has(seq)) return;
    this.quoted.add(seq);
    const s = line();
    this.excerpts.push({ seq, line: s.length > MAX_EXCERPT ? `${s.slice(0, MAX_EXCERPT)}…` : s });
  }

  result(bytes: number): RunStats {
    // An interval's frame may have become shared after it opened: mark it.
    for (const tm of this.tenants.values()) for (const iv of tm.intervals) if (this.sharedFrames.has(iv.frame)) iv.shared = true;
    return {
      bytes,
      kinds: this.kinds,
      timeline: { width: this.width, buckets: this.buckets },
      marks: this.marks,
      tenants: [...this.tenants.values()].map(({ tenant, boot, intervals, dropped }) => ({ tenant, boot, intervals, dropped })),
      entropy: [...this.entropy.values()],
      healthEvents: this.healthEvents,
      excerpts: this.excerpts.sort((a, b) => a.seq - b.seq),
    };
  }

  private merge(): void {
    const next: Record<string, number>[] = [];
    for (let i = 0; i < this.buckets.length; i += 2) {
      const a = Object.assign(Object.create(null) as Record<string, number>, this.buckets[i]);
      for (const [k, v] of Object.entries(this.buckets[i + 1] ?? {})) a[k] = (a[k] ?? 0) + v;
      next.push(a);
    }
    this.buckets = next;
    this.width *= 2;
  }
}
