/**
 * stdout and stderr as a pipe or a file (cli/fd-writer.ts): everything written arrives, in order, also through a
 * full non-blocking pipe; a reader that goes away ends the writing quietly; a terminal keeps Node's stream.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FdWriter, fdWriter } from '../../src/cli/fd-writer.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** The write end of a pipe into `child`'s stdin. libuv makes it non-blocking: a full pipe answers EAGAIN. */
function pipeInto(child: ChildProcess): number {
  return (child.stdin as unknown as { _handle: { fd: number } })._handle.fd;
}

const exited = (child: ChildProcess) => new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));

describe('FdWriter', () => {
  it('writes all of a text far larger than a pipe holds, in order, while the reader is slow', async () => {
    const text = Array.from({ length: 40_000 }, (_, i) => `line ${i}\n`).join(''); // ~350 KB; a pipe holds 64 KB
    // The reader starts late, so the writer meets a full pipe first.
    const child = spawn('bash', ['-c', 'sleep 0.2; sha256sum'], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    let brokenPipe = false;

    expect(new FdWriter(pipeInto(child), () => (brokenPipe = true)).write(text)).toBe(true);
    child.stdin!.end();
    await exited(child);

    const { createHash } = await import('node:crypto');
    expect(out.split(' ')[0]).toBe(createHash('sha256').update(text).digest('hex'));
    expect(brokenPipe).toBe(false);
  });

  it('a reader that goes away (| head) ends the writing: onBrokenPipe, no error', async () => {
    const child = spawn('head', ['-c', '10'], { stdio: ['pipe', 'ignore', 'inherit'] });
    child.stdin!.on('error', () => undefined);
    const gone = exited(child);
    let brokenPipe = 0;

    // head reads its 10 bytes and leaves while the rest (16 times what a pipe holds) is still being written.
    expect(new FdWriter(pipeInto(child), () => (brokenPipe += 1)).write('x'.repeat(1 << 20))).toBe(false);
    expect(brokenPipe).toBe(1);
    await gone;
  });

  it('is not a terminal', () => {
    expect(new FdWriter(1, () => undefined).isTTY).toBe(false);
    expect(new FdWriter(1, () => undefined).columns).toBeUndefined();
  });
});

describe('fdWriter', () => {
  it('takes a file or a pipe; a character device (a terminal, /dev/null) or a closed descriptor keeps Node stream', async () => {
    dir = mkdtempSync(join(tmpdir(), 'tapctl-fd-'));
    const file = openSync(join(dir, 'out.txt'), 'w');
    const devNull = openSync('/dev/null', 'w');
    try {
      const writer = fdWriter(file, () => undefined);
      expect(writer).toBeInstanceOf(FdWriter);
      writer!.write('héllo ✔\n');
      expect(readFileSync(join(dir, 'out.txt'), 'utf8')).toBe('héllo ✔\n');
      expect(fdWriter(devNull, () => undefined)).toBeUndefined();
    } finally {
      closeSync(file);
      closeSync(devNull);
    }
    expect(fdWriter(file, () => undefined)).toBeUndefined();

    const child = spawn('cat', [], { stdio: ['pipe', 'ignore', 'inherit'] });
    expect(fdWriter(pipeInto(child), () => undefined)).toBeInstanceOf(FdWriter);
    child.stdin!.end();
    await exited(child);
  });
});
