/**
 * stat, lstat and fstat for anything that may be a named pipe or a socket (stdout, a file in tapctl's cache folder
 * that someone replaced), with BigInt results turned back into numbers.
 *
 * Why not the plain calls: Node's `fs.realpathSync`, which `require()` uses to resolve links, reads the array the
 * plain stat calls fill, and stops resolving a path when the last call there saw a FIFO or a socket. The next
 * `require()` then keeps a path through a link (a symlinked node_modules: pnpm, npm link), and can load a second
 * copy of a package: a second aws-cdk-lib drops every `instanceof` check, and with them cdk-nag's suppressions
 * from the template (https://github.com/nodejs/node/issues/51142, open on Node 20 and 22). The BigInt calls fill
 * another array.
 */
import { fstatSync, lstatSync, statSync, type BigIntStats } from 'node:fs';

export interface FileStat {
  readonly isFile: boolean;
  readonly isDirectory: boolean;
  readonly isFIFO: boolean;
  readonly isSocket: boolean;
  readonly isSymbolicLink: boolean;
  readonly uid: number;
  /** Type and permission bits, as `st_mode`. */
  readonly mode: number;
  /** Bytes. */
  readonly size: number;
  /** Milliseconds since the epoch. */
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  readonly ino: number;
}

const numbers = (s: BigIntStats): FileStat => ({
  isFile: s.isFile(),
  isDirectory: s.isDirectory(),
  isFIFO: s.isFIFO(),
  isSocket: s.isSocket(),
  isSymbolicLink: s.isSymbolicLink(),
  uid: Number(s.uid),
  mode: Number(s.mode),
  size: Number(s.size),
  mtimeMs: Number(s.mtimeMs),
  ctimeMs: Number(s.ctimeMs),
  ino: Number(s.ino),
});

/** lstat (a link is not followed). Throws as `fs.lstatSync` does. */
export const lstatOf = (path: string): FileStat => numbers(lstatSync(path, { bigint: true }));
/** stat (links followed). Throws as `fs.statSync` does. */
export const statOf = (path: string): FileStat => numbers(statSync(path, { bigint: true }));
/** fstat of an open descriptor. Throws as `fs.fstatSync` does. */
export const fstatOf = (fd: number): FileStat => numbers(fstatSync(fd, { bigint: true }));
