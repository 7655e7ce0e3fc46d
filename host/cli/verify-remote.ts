// `awre verify <http(s)-url> ...`: the auditor's check of a log published as
// C2SP tlog-tiles (awre publish, docs/tiles.md). The remote reader
// (recorder/remote.ts) streams the log's bytes back from the tiles into the
// streaming verifier; what only the server can get wrong (a tile that does
// not match the entries, a truncated bundle, a server that does not answer)
// is added to the verifier's findings. The result has runVerify's shape, so
// renderVerify and --json print it the same way.
import { verifyAttestation, verifyIdentity } from '../../recorder/attest.js';
import { parseChallenge } from '../../recorder/certificate.js';
import { parseAttestationKey } from '../../recorder/keys.js';
import { parseNodeIdentity } from '../../recorder/node.js';
import { parsePolicy } from '../../recorder/policy.js';
import { openRemoteLog, type RemoteOptions } from '../../recorder/remote.js';
import { parseTlogPolicy } from '../../recorder/tlog-policy.js';
import { verifyChunks, type VerifyOptions } from '../../recorder/verify.js';
import { ml_dsa44 } from '../mldsa.js';
import { CliFailure, EXIT, parseWith, readText } from './io.js';
import type { VerifyArgs, VerifyResult } from './verify.js';

/** A log argument that names a published log rather than a file. */
export function isRemoteLog(log: string): boolean {
  return /^https?:\/\//i.test(log);
}

/** The options a remote log takes; the escrow replay needs the whole log in hand, so it is refused. */
export type VerifyRemoteArgs = Omit<VerifyArgs, 'log'> & { timeoutMs?: number; retries?: number };

const LOCAL_ONLY = ['escrow', 'auditorKey', 'module'] as const;

/** The verifier's options from the command line, as runVerify reads them (host/cli/verify.ts). */
function verifyOptions(a: VerifyRemoteArgs): Omit<VerifyOptions, 'cosigned'> & { wantCosigned: boolean; cosignedFile?: string } {
  const used = LOCAL_ONLY.find((k) => a[k] !== undefined);
  if (used) throw new CliFailure(EXIT.usage, `--${used.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}: a replay needs the log on disk; verify a published log without it, or fetch the log and verify the file`);
  const key = a.key === undefined ? undefined : parseWith(() => parseAttestationKey(readText(a.key!, 'attestation key')), '--key');
  const node = a.node === undefined ? undefined : parseWith(() => parseNodeIdentity(readText(a.node!, 'node identity')), '--node');
  const challenge = a.challenge === undefined ? undefined : parseWith(() => parseChallenge(a.challenge!), '--challenge');
  if (a.cosigned !== undefined && a.witnesses === undefined) throw new CliFailure(EXIT.usage, '--cosigned: give the witness policy too (--witnesses)');
  const witnessPolicy = a.witnesses === undefined ? undefined : parseWith(() => parseTlogPolicy(readText(a.witnesses!, 'witness policy')), '--witnesses');
  const policy = a.policy === undefined ? undefined : parseWith(() => parsePolicy(readText(a.policy!, 'policy')), '--policy');
  if (a.key === undefined && a.node === undefined && policy?.nodes === undefined) {
    throw new CliFailure(EXIT.usage, 'say whose log it is: --node <identity.pub.json> (the enrolled node), a --policy listing the enrolled nodes, or --key <file> (a run\'s attestation key, pinned: not the copy served beside the tiles)');
  }
  if (a.challenge !== undefined && a.node === undefined && policy?.nodes === undefined) throw new CliFailure(EXIT.usage, '--challenge: only a run certified by an enrolled node proves freshness: give --node (or a --policy listing nodes)');
  const since = a.since === undefined ? undefined : readText(a.since, 'checkpoint');
  return {
    ...(key ? { key: key.publicKey, keyName: key.name } : {}), ...(node ? { node } : {}), ...(challenge === undefined ? {} : { challenge }),
    verify: verifyAttestation, verifyIdentity, ...(policy ? { policy } : {}), ...(since === undefined ? {} : { since }),
    ...(witnessPolicy ? { witnessPolicy, verifyCosignature: (sig: Uint8Array, m: Uint8Array, k: Uint8Array) => ml_dsa44.verify(sig, m, k) } : {}),
    wantCosigned: witnessPolicy !== undefined,
    ...(a.cosigned === undefined ? {} : { cosignedFile: readText(a.cosigned, 'cosigned checkpoint') }),
  };
}

/**
 * Verify the log published at `url`. Usage errors (options, files) throw
 * CliFailure before anything is fetched; nothing the server sends throws:
 * it ends up in the findings (remote-unavailable, remote-malformed,
 * tile-mismatch, remote-size, and whatever the verifier finds in the bytes).
 */
export async function runVerifyRemote(url: string, a: VerifyRemoteArgs, fetchImpl?: typeof fetch): Promise<VerifyResult> {
  const { wantCosigned, cosignedFile, ...opts } = verifyOptions(a);
  let remote;
  try {
    remote = await openRemoteLog(url, remoteOptions(a, fetchImpl));
  } catch (e) {
    // Only a malformed URL or option throws (a usage error); the server's answers are findings.
    if (e instanceof TypeError || e instanceof RangeError) throw new CliFailure(EXIT.usage, e.message);
    throw e;
  }
  // With --witnesses, the cosigned final checkpoint is the published `checkpoint` (or --cosigned).
  const cosigned = cosignedFile ?? (wantCosigned ? remote.checkpoint : undefined);
  const report = await verifyChunks(remote.chunks(), { ...opts, ...(cosigned === undefined ? {} : { cosigned }) });
  report.findings.push(...remote.findings());
  for (const [event, n] of Object.entries(remote.suppressed())) report.suppressed[event] = (report.suppressed[event] ?? 0) + n;
  report.ok = !report.findings.some((f) => f.severity === 'error');
  return { ...report, log: url, replayed: false };
}

function remoteOptions(a: VerifyRemoteArgs, fetchImpl: typeof fetch | undefined): RemoteOptions {
  return {
    ...(a.timeoutMs === undefined ? {} : { timeoutMs: a.timeoutMs }),
    ...(a.retries === undefined ? {} : { retries: a.retries }),
    ...(fetchImpl ? { fetch: fetchImpl } : {}),
  };
}
