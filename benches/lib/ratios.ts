// The ratios each suite's result data holds, in one shape for charts:
// speed-ups against peers (higher is better) and overheads (lower is better),
// each with the target the issues name.
export interface Ratio {
  suite: string;
  label: string;
  peer: string;
  ratio: number;
  target: number | null;
  better: 'higher' | 'lower';
}

type Data = Record<string, unknown>;

export function ratiosOf(suite: string, data: Data): Ratio[] {
  const out: Ratio[] = [];
  const targets = data['targets'] as { param?: string; op?: string; size?: string; direction?: string; peer: string; target: number; ratio: number | null }[] | undefined;
  if (Array.isArray(targets)) {
    for (const t of targets) {
      if (t.ratio === null) continue;
      out.push({ suite, label: `${t.param ?? t.size} ${t.op ?? t.direction}`, peer: t.peer, ratio: t.ratio, target: t.target, better: 'higher' });
    }
  }
  if (suite === 'waven') {
    for (const r of (data['rows'] as { op: string; overhead: number }[] | undefined) ?? []) out.push({ suite, label: r.op, peer: 'mmu off', ratio: r.overhead, target: 1.15, better: 'lower' });
  }
  if (suite === 'recorder') {
    const o = data['overhead'] as { ratio: number } | undefined;
    if (o) out.push({ suite, label: 'ML-KEM-768 encapsulate, recorded', peer: 'not recorded', ratio: o.ratio, target: 1.1, better: 'lower' });
  }
  if (suite === 'pqc' && typeof data['ratio'] === 'number') {
    out.push({ suite, label: 'PQC1 v2 handshake', peer: 'its kernel operations', ratio: data['ratio'], target: 1.2, better: 'lower' });
  }
  return out;
}
