// The verifier's streaming tree (docs/verify.md, "Hashing"): the compact
// range of RFC 6962's tree kept in build/merkle.wasm (assembly/merkle/).
// Leaves are hashed by the host (node:crypto, one call per line); the
// interior nodes, one per leaf, are computed in the module a batch of 4,096
// leaves at a time, which costs less than half of a node:crypto call each.
// Roots are folded only when asked (checkpoints). Memory: a few KiB.
import { readModule } from '../host/enclave/module.js';
import { CompactTree, type Hash } from './merkle.js';

interface Exports {
  memory: WebAssembly.Memory;
  init(): void;
  append(count: number): void;
  root(): void;
  batchPtr(): number;
  rootPtr(): number;
  treeSize(): bigint;
}

let compiled: WebAssembly.Module | undefined;

export class WasmTree {
  private readonly x: Exports;
  private readonly batch: number;
  private readonly mem: Uint8Array;
  private pending = 0;
  size = 0;
  static readonly BATCH = 4096;

  constructor() {
    compiled ??= new WebAssembly.Module(readModule('merkle.wasm') as Uint8Array<ArrayBuffer>);
    this.x = new WebAssembly.Instance(compiled, { env: {} }).exports as unknown as Exports;
    this.x.init();
    this.batch = this.x.batchPtr();
    this.mem = new Uint8Array(this.x.memory.buffer);
  }

  append(leaf: Hash): void {
    // The module's memory never grows (it allocates nothing), so the view made once stays valid.
    this.mem.set(leaf, this.batch + 32 * this.pending);
    this.size++;
    if (++this.pending === WasmTree.BATCH) this.flush();
  }

  root(): Hash {
    this.flush();
    this.x.root();
    const p = this.x.rootPtr();
    return new Uint8Array(this.x.memory.buffer.slice(p, p + 32));
  }

  private flush(): void {
    if (this.pending === 0) return;
    this.x.append(this.pending);
    this.pending = 0;
  }
}

/**
 * The verifier's streaming tree: WasmTree where build/merkle.wasm can be had
 * synchronously (Node; a browser that called setModule(bytes, 'merkle.wasm')),
 * else the JavaScript CompactTree. Both give the same roots (tests/merkle.test.ts).
 */
export function streamingTree(): Pick<WasmTree, 'append' | 'root' | 'size'> {
  try {
    return new WasmTree();
  } catch (err) {
    if ((err as { code?: string }).code !== 'MODULE_NOT_FOUND') throw err;
    return new CompactTree();
  }
}
