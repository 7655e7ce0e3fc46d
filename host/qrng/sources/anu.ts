// anu:<url|file>: the ANU QRNG JSON shape
//   {"success": true, "type": "uint8" | "uint16" | "hex16", "length": N, "data": [...], "size"?: S}
// from a file (a saved response) or an HTTP(S) URL, fetched with a timeout
// and refetched whenever its data runs out. Samples are bytes: a uint16
// value gives two (big-endian), a hex16 block of S bytes gives S. Every
// response is validated whole before any of it is served.
import { platform } from '#platform';
import { z } from 'zod';
import { concatWiping } from '../../bytes.js';
import { AwreError } from '../../errors.js';
import { claimedEntropy, sourceError, type EntropySource, type SourceOptions } from '../source.js';

const MAX_FILE_BYTES = 16 << 20;
const MAX_RESPONSE_BYTES = 16 << 20;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

const Shape = z.discriminatedUnion('type', [
  z.object({ success: z.literal(true), type: z.literal('uint8'), length: z.number().int().positive(), data: z.array(z.number().int().min(0).max(255)) }),
  z.object({ success: z.literal(true), type: z.literal('uint16'), length: z.number().int().positive(), data: z.array(z.number().int().min(0).max(65535)) }),
  z.object({
    success: z.literal(true), type: z.literal('hex16'), length: z.number().int().positive(),
    size: z.number().int().positive().optional(), data: z.array(z.string().regex(/^(?:[0-9a-fA-F]{2})+$/, 'a hex string of whole bytes')),
  }),
]);

/** Validate one ANU response and flatten it to byte samples; errors name what is wrong. */
export function parseAnu(text: string, label: string): Uint8Array {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    // V8's message quotes the input (samples): keep only the position.
    const at = /position (\d+)/.exec((cause as Error).message)?.[1];
    throw sourceError(label, `malformed JSON${at === undefined ? '' : ` at position ${at}`}`);
  }
  if (typeof json === 'object' && json !== null && (json as { success?: unknown }).success === false) {
    throw sourceError(label, 'the service answered success:false');
  }
  const parsed = Shape.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw sourceError(label, `not the ANU QRNG shape: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const r = parsed.data;
  if (r.data.length !== r.length) throw sourceError(label, `"length" says ${r.length} but "data" holds ${r.data.length} values`);
  if (r.type === 'uint8') return Uint8Array.from(r.data);
  if (r.type === 'uint16') {
    const out = new Uint8Array(2 * r.length);
    r.data.forEach((v, i) => { out[2 * i] = v >> 8; out[2 * i + 1] = v & 0xff; });
    return out;
  }
  const width = r.size ?? r.data[0]!.length / 2;
  const bad = r.data.findIndex((s) => s.length !== 2 * width);
  if (bad >= 0) throw sourceError(label, `hex16 block ${bad} has ${r.data[bad]!.length / 2} bytes, expected ${width}`);
  return hexBytes(r.data.join(''));
}

/** Hex to a fresh array (Buffer.from would leave a copy in Node's shared pool slab). */
function hexBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export class AnuSource implements EntropySource {
  readonly kind = 'anu';
  readonly quantum = true; // ANU measures vacuum fluctuations
  readonly label: string;
  readonly minEntropy: number;
  // Private: the URL may carry credentials or an API key; only `label` is for display.
  readonly #url: URL | undefined;
  readonly #target: string;
  private readonly timeoutMs: number;
  private buffered: Uint8Array = new Uint8Array(0);
  private fileRead = false;

  constructor(target: string, options: SourceOptions = {}) {
    this.#target = target;
    this.#url = /^https?:\/\//i.test(target) ? new URL(target) : undefined;
    // Samples over plain HTTP could come from anyone on the path: HTTPS only, except on loopback (tests, a local relay).
    if (this.#url?.protocol === 'http:' && !LOOPBACK.has(this.#url.hostname)) {
      throw new AwreError('QRNG_CONFIG', `anu: plain http:// is refused for ${this.#url.hostname} (use https://; http is allowed on loopback only)`);
    }
    // Name the endpoint, not its query string or credentials (an API key may sit there).
    this.label = this.#url ? `anu:${this.#url.origin}${this.#url.pathname}` : `anu:${platform.resolvePath(target)}`;
    this.minEntropy = claimedEntropy(8, options);
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  async read(n: number): Promise<Uint8Array> {
    while (this.buffered.length < n) {
      this.buffered = concatWiping(this.buffered, await this.next());
    }
    const out = this.buffered.slice(0, n);
    this.buffered.fill(0, 0, n);
    this.buffered = this.buffered.subarray(n);
    return out;
  }

  async close(): Promise<void> {
    this.buffered.fill(0);
    this.buffered = new Uint8Array(0);
  }

  /** One more response's worth of samples. */
  private async next(): Promise<Uint8Array> {
    if (this.#url) return parseAnu(await this.fetchText(this.#url), this.label);
    if (this.fileRead) throw sourceError(this.label, `end of file: the saved response is used up (${this.buffered.length} bytes left)`);
    this.fileRead = true;
    let text: string;
    try {
      const bytes = await platform.readFile(this.#target);
      if (bytes.length > MAX_FILE_BYTES) throw sourceError(this.label, `file of ${bytes.length} bytes is over the ${MAX_FILE_BYTES}-byte limit`);
      text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes); // as Buffer#toString: a BOM is kept
    } catch (cause) {
      if ((cause as { code?: string }).code === 'QRNG_SOURCE') throw cause;
      throw sourceError(this.label, `cannot read: ${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}`, cause);
    }
    return parseAnu(text, this.label);
  }

  private async fetchText(url: URL): Promise<string> {
    let res: Response;
    try {
      res = await fetch(url, { signal: AbortSignal.timeout(this.timeoutMs), headers: { accept: 'application/json' } });
    } catch (cause) {
      const timedOut = (cause as Error).name === 'TimeoutError';
      throw sourceError(this.label, timedOut ? `no answer within ${this.timeoutMs} ms` : `request failed: ${(cause as Error).message}`, cause);
    }
    if (!res.ok) throw sourceError(this.label, `HTTP ${res.status} ${res.statusText}`);
    const body = await res.arrayBuffer();
    if (body.byteLength > MAX_RESPONSE_BYTES) throw sourceError(this.label, `response of ${body.byteLength} bytes is over the ${MAX_RESPONSE_BYTES}-byte limit`);
    return new TextDecoder().decode(body);
  }
}
