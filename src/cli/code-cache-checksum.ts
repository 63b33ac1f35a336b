/**
 * The checksum of a code cache file (cli/code-cache.ts), checked before V8 sees the cache: Node 20's V8 checks a
 * cache's length and version but not its contents, and a damaged one can crash the process or run altered code.
 *
 * Computed by a 120-byte WebAssembly function: no module to load, ~0.5 ms for 400 KB, where a JavaScript loop takes
 * ~3 ms at start-up, node:crypto ~4 ms to load, zlib ~18 M instructions, and V8's --verify-snapshot-checksum flag
 * ~16 M.
 */

/**
 * MurmurHash3's 32-bit mixing over `data` as little-endian 32-bit words (the last padded with zero bytes), seeded
 * with the cache file's name so that a valid cache put under another file's name fails, then its finalizer over the
 * length. (FNV-1a was tried first: two flips of a word's top bit cancel out in it.) The WebAssembly below is, in the
 * text format:
 *   (module (memory (export "m") 1)
 *     (func (export "h") (param $n i32) (param $seed i32) (result i32) (local $i i32) (local $h i32) (local $k i32)
 *       (local.set $h (local.get $seed))
 *       (block (loop
 *         (br_if 1 (i32.ge_u (local.get $i) (local.get $n)))
 *         (local.set $k (i32.mul (i32.rotl (i32.mul (i32.load (local.get $i)) (i32.const 0xcc9e2d51)) (i32.const 15))
 *                                (i32.const 0x1b873593)))
 *         (local.set $h (i32.add (i32.mul (i32.rotl (i32.xor (local.get $h) (local.get $k)) (i32.const 13)) (i32.const 5))
 *                                (i32.const 0xe6546b64)))
 *         (local.set $i (i32.add (local.get $i) (i32.const 4)))
 *         (br 0)))
 *       (local.get $h)))
 * test/cli/code-cache.test.ts holds it to the same in JavaScript.
 */
const CHECKSUM_WASM = [
  0, 97, 115, 109, 1, 0, 0, 0, 1, 7, 1, 96, 2, 127, 127, 1, 127, 3, 2, 1, 0, 5, 3, 1, 0, 1, 7, 9, 2, 1, 109, 2, 0, 1, 104, 0, 0, 10, 78, 1, 76, 1, 3,
  127, 32, 1, 33, 3, 2, 64, 3, 64, 32, 2, 32, 0, 79, 13, 1, 32, 2, 40, 2, 0, 65, 209, 218, 248, 228, 124, 108, 65, 15, 119, 65, 147, 235, 156, 220, 1,
  108, 33, 4, 32, 3, 32, 4, 115, 65, 13, 119, 65, 5, 108, 65, 228, 214, 209, 178, 126, 106, 33, 3, 32, 2, 65, 4, 106, 33, 2, 12, 0, 11, 11, 32, 3, 11,
];
/** The part of the WebAssembly JavaScript API used here (tapctl's TypeScript libs have no DOM types). */
interface WasmApi {
  readonly Module: new (bytes: Uint8Array) => object;
  readonly Instance: new (module: object) => { readonly exports: Record<string, unknown> };
}
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
let wasmChecksum: { memory: WasmMemory; hash: (length: number, seed: number) => number } | undefined;

/** The checksum of a cache `data` kept under the name `key` (see CHECKSUM_WASM). */
export function checksum(data: Uint8Array, key: string): number {
  if (!wasmChecksum) {
    const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
    const { exports } = new wasm.Instance(new wasm.Module(new Uint8Array(CHECKSUM_WASM)));
    wasmChecksum = { memory: exports.m as WasmMemory, hash: exports.h as (length: number, seed: number) => number };
  }
  const { memory, hash } = wasmChecksum;
  const words = (data.length + 3) & ~3;
  const pages = Math.ceil(words / 65536);
  const have = memory.buffer.byteLength / 65536;
  if (pages > have) memory.grow(pages - have);
  const view = new Uint8Array(memory.buffer);
  view.set(data);
  view.fill(0, data.length, words);
  // MurmurHash3's finalizer (fmix32) over the length, so that every bit of the state reaches every bit of the result.
  let h = hash(words, fnv1a(key)) ^ data.length;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** FNV-1a (32-bit) over a string's UTF-16 code units: names the set of files a run loaded, seeds the checksum. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
