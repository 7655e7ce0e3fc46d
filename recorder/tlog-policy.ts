// C2SP tlog-policy: which logs and witnesses an auditor trusts, and the
// quorum of witness cosignatures a checkpoint needs (docs/witness.md).
//
//   log <vkey> [<url>]
//   witness <name> <vkey> [<url>]
//   group <name> all|any|<k> <member>...
//   quorum <name>            (exactly one; a witness, a group, or "none")
//
// Items are separated by spaces or tabs; blank lines and "#" comments are
// ignored; a group or the quorum names only what earlier lines defined.
import { toBase64 } from '../host/codec.js';
import { parseVkey, type Vkey } from './cosign.js';

export interface TlogPolicy {
  logs: { vkey: Vkey; url?: string }[];
  witnesses: Map<string, { vkey: Vkey; url?: string }>;
  groups: Map<string, { k: number; members: string[] }>;
  quorum: string;
}

const LIMIT = 256;

/** Parse a policy file's text; a TypeError names the line and what is wrong. */
export function parseTlogPolicy(text: string): TlogPolicy {
  const p: TlogPolicy = { logs: [], witnesses: new Map(), groups: new Map(), quorum: '' };
  const keys = new Set<string>();
  let quorum: string | undefined;
  const lines = text.split('\n');
  if (lines.length > 4 * LIMIT) throw new TypeError(`tlog-policy: more than ${4 * LIMIT} lines`);
  lines.forEach((raw, i) => {
    const at = `tlog-policy line ${i + 1}`;
    if (/[\x00-\x08\x0b-\x1f\x7f]/.test(raw)) throw new TypeError(`${at}: a control character`);
    // Only spaces and tabs separate or surround items (tlog-policy); other bytes are the items'.
    const line = raw.replace(/^[ \t]+|[ \t]+$/g, '');
    if (line === '' || line.startsWith('#')) return;
    const [kw, ...items] = line.split(/[ \t]+/);
    const defined = (n: string) => p.witnesses.has(n) || p.groups.has(n);
    const fresh = (n: string) => {
      if (n === 'none') throw new TypeError(`${at}: "none" is predefined`);
      if (defined(n)) throw new TypeError(`${at}: ${n} is defined already`);
    };
    const vkey = (s: string, what: string) => {
      try { return parseVkey(s); } catch (e) { throw new TypeError(`${at}: ${what}: ${(e as Error).message}`); }
    };
    const unique = (v: Vkey) => {
      const id = toBase64(v.key);
      if (keys.has(id)) throw new TypeError(`${at}: the same key is listed twice`);
      keys.add(id);
    };
    switch (kw) {
      case 'log': {
        if (items.length < 1 || items.length > 2) throw new TypeError(`${at}: log <vkey> [<url>]`);
        const v = vkey(items[0]!, 'log key');
        if (v.type === 0x06 || v.type === 0x04) throw new TypeError(`${at}: a log key is a checkpoint signature type, not a cosignature type`);
        unique(v);
        p.logs.push({ vkey: v, ...(items[1] ? { url: items[1] } : {}) });
        return;
      }
      case 'witness': {
        if (items.length < 2 || items.length > 3) throw new TypeError(`${at}: witness <name> <vkey> [<url>]`);
        fresh(items[0]!);
        const v = vkey(items[1]!, 'witness key');
        if (v.type !== 0x06 && v.type !== 0x04) throw new TypeError(`${at}: a witness key is a cosignature type (0x06 ML-DSA-44, or 0x04 Ed25519)`);
        unique(v);
        p.witnesses.set(items[0]!, { vkey: v, ...(items[2] ? { url: items[2] } : {}) });
        return;
      }
      case 'group': {
        if (items.length < 3) throw new TypeError(`${at}: group <name> all|any|<k> <member>...`);
        const [name, kind, ...members] = items as [string, string, ...string[]];
        fresh(name);
        if (new Set(members).size !== members.length) throw new TypeError(`${at}: a member is listed twice`);
        for (const m of members) if (!defined(m)) throw new TypeError(`${at}: ${m} is not defined on an earlier line${m === 'none' ? ' ("none" is for the quorum only)' : ''}`);
        const k = kind === 'all' ? members.length : kind === 'any' ? 1 : /^[1-9][0-9]*$/.test(kind) ? Number(kind) : NaN;
        if (!(k >= 1 && k <= members.length)) throw new TypeError(`${at}: the threshold is all, any or a number from 1 to ${members.length}`);
        p.groups.set(name, { k, members });
        return;
      }
      case 'quorum': {
        if (items.length !== 1) throw new TypeError(`${at}: quorum <name>`);
        if (quorum !== undefined) throw new TypeError(`${at}: a second quorum line`);
        if (items[0] !== 'none' && !defined(items[0]!)) throw new TypeError(`${at}: ${items[0]} is not defined on an earlier line`);
        quorum = items[0]!;
        return;
      }
      default:
        throw new TypeError(`${at}: unknown keyword ${JSON.stringify(kw)}`);
    }
  });
  if (quorum === undefined) throw new TypeError('tlog-policy: no quorum line');
  if (p.witnesses.size > LIMIT || p.groups.size > LIMIT || p.logs.length > LIMIT) throw new TypeError(`tlog-policy: more than ${LIMIT} logs, witnesses or groups`);
  p.quorum = quorum;
  return p;
}

/** Whether the witnesses in `cosigned` satisfy the policy's quorum, and which satisfied nodes are missing where it fails. */
export function quorumMet(p: TlogPolicy, cosigned: ReadonlySet<string>): boolean {
  const sat = (name: string): boolean => {
    if (name === 'none') return true;
    if (p.witnesses.has(name)) return cosigned.has(name);
    const g = p.groups.get(name)!;
    return g.members.filter(sat).length >= g.k;
  };
  return sat(p.quorum);
}
