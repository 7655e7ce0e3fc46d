// The contract between benches/run.ts and one suite file (benches/<name>.ts).

export interface SuiteOptions {
  /** Short smoke-test run: fewer and shorter rounds; results are not written. */
  quick: boolean;
  /** Time only the peers, without awre (--peers-only; only suites listed in run.ts PEERS_ONLY get true). */
  peersOnly: boolean;
  /** False: do not write benches/results/ (awre bench writes only its own --out). */
  write?: boolean;
  /** Progress messages (to stderr, so stdout stays clean for --json). */
  log: (message: string) => void;
}

export interface SuiteReport {
  /** Everything measured, written to benches/results/ and printed by --json. */
  data: Record<string, unknown>;
  /** The human-readable report printed without --json. */
  text: string;
  /** False when a correctness check failed: run.ts then exits with code 1. */
  ok: boolean;
}

export interface Suite {
  name: string;
  description: string;
  run(options: SuiteOptions): Promise<SuiteReport>;
}
