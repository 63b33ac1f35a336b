/**
 * state/stat.ts: a stat of a named pipe must not change how require() resolves links afterwards
 * (https://github.com/nodejs/node/issues/51142: fs.realpathSync reads the array the plain stat calls fill).
 */
import { execFileSync } from 'node:child_process';
import { closeSync, constants, fstatSync, mkdirSync, mkdtempSync, openSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { fstatOf, lstatOf, statOf } from '../../src/state/stat.js';

let root: string;
let fifo: number;
const load = createRequire(import.meta.url);

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'tapctl-stat-'));
  mkdirSync(join(root, 'real'));
  for (const name of ['first', 'second']) writeFileSync(join(root, 'real', `${name}.js`), 'module.exports = 1;\n');
  symlinkSync(join(root, 'real'), join(root, 'link'));
  execFileSync('mkfifo', [join(root, 'pipe')]);
  fifo = openSync(join(root, 'pipe'), constants.O_RDONLY | constants.O_NONBLOCK);
});
afterEach(() => {
  closeSync(fifo);
  for (const key of Object.keys(load.cache)) if (key.startsWith(root)) delete load.cache[key];
  rmSync(root, { recursive: true, force: true });
});

/** Which path require() keeps for `second.js` loaded through the link, after `statPipe` ran. */
function resolvedAfter(statPipe: () => void): string | undefined {
  load(join(root, 'link', 'first.js'));
  statPipe();
  load(join(root, 'link', 'second.js'));
  return Object.keys(load.cache).find((key) => key.endsWith('second.js'));
}

it('a stat of a named pipe leaves require() resolving links: the module is the real file, loaded once', () => {
  expect(resolvedAfter(() => expect(fstatOf(fifo).isFIFO).toBe(true))).toBe(join(root, 'real', 'second.js'));
});

it.runIf(process.versions.node.startsWith('20.'))("(the control) Node 20's plain fstatSync of a pipe makes require() keep the link", () => {
  expect(resolvedAfter(() => fstatSync(fifo))).toBe(join(root, 'link', 'second.js'));
});

it('gives numbers: type, owner, mode, size and times', () => {
  writeFileSync(join(root, 'five'), '12345');
  const file = statOf(join(root, 'five'));
  expect(file).toMatchObject({ isFile: true, isDirectory: false, isFIFO: false, size: 5, uid: process.getuid?.() });
  expect(typeof file.mtimeMs).toBe('number');
  expect(lstatOf(join(root, 'link')).isDirectory).toBe(false);
  expect(statOf(join(root, 'link')).isDirectory).toBe(true);
});
