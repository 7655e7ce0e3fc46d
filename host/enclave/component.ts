// A thin canonical-ABI binding for the enclave component (docs/component.md).
// It runs the component's core module (build/component/enclave.core.wasm, the
// module inside build/enclave.component.wasm) directly and does for each call
// exactly what the canonical ABI prescribes: cabi_realloc and copy every list
// argument, call the export, read the return area, copy the result lists out,
// then call the post-return. It gives the same values as jco's transpiled
// bindings (tests/component.test.ts) without their per-call task machinery.
//
// An err(status) is thrown as a ComponentStatusError (`status`, and `payload`
// like jco's ComponentError). Lists whose total exceeds the I/O window are
// refused with a RangeError before the enclave is touched (the component's
// cabi_realloc would trap).

/** An err(status) returned by a component function: `status` is from abi/status.ts. */
export class ComponentStatusError extends Error {
  readonly status: number;
  /** The same value, under the name jco's ComponentError uses. */
  readonly payload: number;
  constructor(fn: string, status: number) {
    super(`${fn}: enclave status ${status}`);
    this.name = 'ComponentStatusError';
    this.status = status;
    this.payload = status;
  }
}

const PKG = 'awre:enclave';
const VER = '2.0.0';

type Param = 'list' | 'i32' | 'bool' | 'optlist';
type Result = 's32' | 'void' | 'list' | 'r-unit' | 'r-list' | 'r-pair' | 'r-s32' | 'r-u32' | 'r-bool' | 'r-list-handle';

/** Every function of the world: interface, function, parameters, result (and a record's field names). */
const FUNCS: [string, string, Param[], Result, string?, string?][] = [
  ['info', 'abi-version', [], 's32'],
  ['info', 'io-bytes', [], 's32'],
  ['sha3', 'oneshot', ['i32', 'i32', 'list', 'i32'], 'r-list'],
  ['sha3', 'absorb', ['i32', 'list'], 'r-unit'],
  ['sha3', 'finish', ['i32', 'i32'], 'r-unit'],
  ['sha3', 'squeeze', ['i32', 'i32'], 'r-list'],
  ['sha3', 'context-save', [], 'list'],
  ['sha3', 'context-restore', ['list'], 'r-unit'],
  ['ml-kem', 'keygen', ['i32', 'list'], 'r-pair', 'ek', 'dk'],
  ['ml-kem', 'encaps', ['i32', 'list', 'list'], 'r-pair', 'ct', 'ss'],
  ['ml-kem', 'decaps', ['i32', 'list', 'list'], 'r-list'],
  ['ml-kem', 'check-ek', ['i32', 'list'], 'r-unit'],
  ['ml-kem', 'check-dk', ['i32', 'list'], 'r-unit'],
  ['ml-dsa', 'keygen', ['i32', 'list'], 'r-pair', 'pk', 'sk'],
  ['ml-dsa', 'sign', ['i32', 'list', 'list', 'list'], 'r-list'],
  ['ml-dsa', 'verify', ['i32', 'list', 'list', 'list'], 'r-bool'],
  ['ml-dsa', 'public-key', ['i32', 'list'], 'r-list'],
  ['gcm', 'init', ['list', 'i32', 'bool'], 'r-unit'],
  ['gcm', 'iv', ['list'], 'r-unit'],
  ['gcm', 'aad', ['list'], 'r-unit'],
  ['gcm', 'crypt', ['list', 'optlist'], 'r-list'],
  ['gcm', 'auth', ['list'], 'r-list'],
  ['gcm', 'finish', ['list'], 'r-list'],
  ['gcm', 'end', [], 'void'],
  ['drbg', 'instantiate', ['list', 'list', 'list'], 'r-unit'],
  ['drbg', 'reseed', ['list', 'list'], 'r-unit'],
  ['drbg', 'uninstantiate', [], 'r-unit'],
  ['drbg', 'requests', [], 'r-u32'],
  ['vault', 'kem-keygen', ['i32'], 'r-s32'],
  ['vault', 'dsa-keygen', ['i32', 'i32'], 'r-s32'],
  ['vault', 'public-key', ['i32'], 'r-list'],
  ['vault', 'level', ['i32'], 'r-s32'],
  ['vault', 'dsa-sign', ['i32', 'list'], 'r-list'],
  ['vault', 'attest-sign', ['i32', 'list'], 'r-list'],
  ['vault', 'identity-sign', ['i32', 'list'], 'r-list'],
  ['vault', 'seal', ['i32', 'list', 'list'], 'r-list'],
  ['vault', 'unseal', ['list', 'list', 'list'], 'r-s32'],
  ['vault', 'free', ['i32'], 'r-unit'],
  ['pqcnet', 'handshake', ['list'], 'r-list-handle'],
  ['pqcnet', 'respond', ['list'], 'r-list-handle'],
  ['pqcnet', 'finish', ['list'], 'r-list-handle'],
  ['pqcnet', 'complete', ['list'], 'r-s32'],
  ['pqcnet', 'seal', ['i32', 'list'], 'r-list'],
  ['pqcnet', 'open', ['i32', 'list'], 'r-list'],
  ['pqcnet', 'session-info', ['i32'], 'r-list'],
];

/** The canonical core export name of a WIT function. */
export function canonicalExport(iface: string, fn: string): string { return `${PKG}/${iface}@${VER}#${fn}`; }
/** Every function of the world as [interface, function] (45). */
export const COMPONENT_FUNCTIONS: readonly [string, string][] = FUNCS.map(([i, f]) => [i, f]);

const camel = (s: string): string => s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

type Fn = (...args: unknown[]) => unknown;
/** The bound world: the same shape as jco's transpiled exports (`sha3.oneshot`, `mlKem.keygen`, ...). */
export type ComponentExports = Record<string, Record<string, Fn>>;

/** The bound world, plus `$core.exports`: the core instance's exports (memory, cabi_realloc, canonical names), for checks. */
export type ComponentBinding = ComponentExports & { $core: { exports: Record<string, unknown> } };

/** Instantiate the component's core module and bind every WIT function. */
export function bindComponentCore(core: WebAssembly.Module | BufferSource): ComponentBinding {
  const mod = core instanceof WebAssembly.Module ? core : new WebAssembly.Module(core);
  const x = new WebAssembly.Instance(mod, {}).exports as Record<string, unknown>;
  const memory = x.memory as WebAssembly.Memory;
  const realloc = x.cabi_realloc as (a: number, b: number, c: number, d: number) => number;
  const ioBytes = (x[canonicalExport('info', 'io-bytes')] as () => number)();
  let buf = memory.buffer;
  let u8 = new Uint8Array(buf);
  let dv = new DataView(buf);
  const view = (): void => { if (memory.buffer !== buf) { buf = memory.buffer; u8 = new Uint8Array(buf); dv = new DataView(buf); } };
  const lower = (b: Uint8Array): number => { const p = realloc(0, 0, 1, b.length); view(); u8.set(b, p); return p; };
  const list = (at: number): Uint8Array => { const p = dv.getUint32(at, true); return u8.slice(p, p + dv.getUint32(at + 4, true)); };

  // One call at a time, and none after a trap (the canonical ABI's rules; review findings): a number
  // argument whose valueOf called the enclave while lists were lowered would reset the window under them.
  let busy = false;
  let dead: string | undefined;
  const out: ComponentExports = {};
  for (const [iface, fn, params, result, f1, f2] of FUNCS) {
    const name = canonicalExport(iface, fn);
    const call = x[name] as (...a: number[]) => number;
    if (typeof call !== 'function') throw new Error(`component core module lacks ${name}`);
    const post = x[`cabi_post_${name}`] as ((r: number) => void) | undefined;
    const what = `${iface}.${fn}`;
    const nLists = params.filter((p) => p === 'list' || p === 'optlist').length;
    const bind = (...args: unknown[]): unknown => {
      if (dead !== undefined) throw new Error(`${what}: the component instance trapped earlier (${dead}); make a new one`);
      if (busy) throw new Error(`${what}: called while another call into this component instance is under way`);
      // Every number is converted before any list is lowered (a conversion runs user code).
      for (let i = 0; i < params.length; i++) {
        const a = args[i];
        if (params[i] !== 'list' && params[i] !== 'optlist' && params[i] !== 'bool' && typeof a !== 'number') throw new TypeError(`${what}: argument ${i} must be a number, got ${typeof a}`);
        if (params[i] === 'optlist' && a === null) args[i] = undefined;
      }
      if (nLists > 0) {
        let total = 0;
        for (let i = 0; i < params.length; i++) {
          const a = args[i];
          if ((params[i] === 'list' || (params[i] === 'optlist' && a !== undefined)) && !(a instanceof Uint8Array)) throw new TypeError(`${what}: argument ${i} must be a Uint8Array`);
          if (a instanceof Uint8Array) total += a.length;
        }
        if (total > ioBytes) throw new RangeError(`${what}: ${total} list bytes exceed the enclave's I/O window (${ioBytes} bytes a call)`);
      }
      const flat: number[] = [];
      busy = true; // a Uint8Array subclass could run code while it is copied in
      try {
      for (let i = 0; i < params.length; i++) {
        const a = args[i];
        switch (params[i]) {
          case 'list': { const b = a as Uint8Array; flat.push(lower(b), b.length); break; }
          case 'optlist': if (a === undefined || a === null) flat.push(0, 0, 0); else { const b = a as Uint8Array; flat.push(1, lower(b), b.length); } break;
          case 'bool': flat.push(a ? 1 : 0); break;
          default: flat.push((a as number) | 0);
        }
      }
      } finally {
        busy = false;
      }
      let r: number;
      busy = true;
      try {
        r = call(...flat);
      } catch (e) {
        if (e instanceof WebAssembly.RuntimeError) dead = e.message;
        throw e;
      } finally {
        busy = false;
      }
      if (result === 's32') return r;
      if (result === 'void') return undefined;
      view();
      try {
        if (result === 'list') return list(r);
        if (u8[r] !== 0) throw new ComponentStatusError(what, dv.getInt32(r + 4, true));
        switch (result) {
          case 'r-unit': return undefined;
          case 'r-list': return list(r + 4);
          case 'r-pair': return { [f1!]: list(r + 4), [f2!]: list(r + 12) };
          case 'r-s32': return dv.getInt32(r + 4, true);
          case 'r-u32': return dv.getUint32(r + 4, true);
          case 'r-bool': return u8[r + 4] !== 0;
          case 'r-list-handle': return [list(r + 4), dv.getInt32(r + 12, true)];
        }
      } finally {
        if (post) post(r);
      }
      return undefined;
    };
    (out[camel(iface)] ??= {})[camel(fn)] = bind;
  }
  return Object.assign(out, { $core: { exports: x } }) as ComponentBinding;
}
