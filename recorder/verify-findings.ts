// The verifier's findings, bounded: at most FINDINGS_PER_EVENT of each event
// are kept (the rest are counted in `suppressed`), and each `got`/`expected`
// value is cut to MAX_VALUE characters of JSON, so no log, however hostile,
// makes a report bigger than a few megabytes.

export type Severity = 'error' | 'warning';

export interface Finding {
  event: string;
  severity: Severity;
  seq: number | null;
  got?: unknown;
  expected?: unknown;
  message: string;
}

export type Add = (event: string, seq: number | null, message: string, extra?: { got?: unknown; expected?: unknown; severity?: Severity }) => void;

export const FINDINGS_PER_EVENT = 100;
/** Characters of JSON a got/expected value keeps. */
export const MAX_VALUE = 2048;

export class Findings {
  readonly list: Finding[] = [];
  readonly suppressed: Record<string, number> = {};
  private readonly perEvent = new Map<string, number>();
  /** Any error finding so far, counted past the cap too. */
  errors = 0;
  /** Called with each finding kept (the verifier quotes its tuple). */
  onKept: ((f: Finding) => void) | undefined;

  readonly add: Add = (event, seq, message, extra = {}) => {
    const severity = extra.severity ?? 'error';
    if (severity === 'error') this.errors++;
    const n = (this.perEvent.get(event) ?? 0) + 1;
    this.perEvent.set(event, n);
    if (n > FINDINGS_PER_EVENT) {
      this.suppressed[event] = (this.suppressed[event] ?? 0) + 1;
      return;
    }
    const f: Finding = { event, severity, seq, message };
    if ('got' in extra) f.got = bounded(extra.got);
    if ('expected' in extra) f.expected = bounded(extra.expected);
    this.list.push(f);
    this.onKept?.(f);
  };

  has(pred: (event: string) => boolean): boolean {
    for (const e of this.perEvent.keys()) if (pred(e)) return true;
    return false;
  }
}

/** A value as it goes into a report: itself when its JSON is short, else its JSON cut short (a string). */
export function bounded(v: unknown): unknown {
  if (v === undefined || v === null || typeof v === 'number' || typeof v === 'boolean') return v;
  let s: string | undefined;
  try { s = JSON.stringify(v); } catch { return '(a value with no JSON form)'; }
  if (s === undefined) return undefined;
  if (s.length <= MAX_VALUE) return v;
  return `${s.slice(0, MAX_VALUE)}… (${s.length} characters)`;
}
