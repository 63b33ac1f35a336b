/**
 * stdout and stderr as a pipe or a file (cli/fd-writer.ts): a light command's output is written directly, a long
 * one through Node's stream, in order; a full non-blocking pipe never blocks or spins; a reader that goes away
 * turns the writer `destroyed` and drops the rest; a terminal keeps Node's stream.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, constants, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { DIRECT_BYTES, FdWriter, fdWriter, writeFailureMessage } from '../../src/cli/fd-writer.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** The write end of a pipe into `child`'s stdin. */
function pipeInto(child: ChildProcess): number {
  return (child.stdin as unknown as { _handle: { fd: number } })._handle.fd;
}

/** A named pipe read by `reader` (a shell command, its stdin the pipe), and this test's own blocking write end. */
function fifoWithReader(reader: string): { child: ChildProcess; fd: number; path: string } {
  dir = mkdtempSync(join(tmpdir(), 'tapctl-fd-'));
  const path = join(dir, 'pipe');
  execFileSync('mkfifo', [path]);
  const child = spawn('bash', ['-c', `exec ${reader} < "$0"`, path], { stdio: ['ignore', 'ignore', 'inherit'] });
  // Opening a named pipe to write waits until its reader has opened it too (the child, another process).
  return { child, fd: openSync(path, 'w'), path };
}

/** Writes to a non-blocking descriptor of a pipe until the pipe is full. */
function fillPipe(nonBlocking: number): void {
  for (const block = Buffer.alloc(4096, 'f'); ; ) {
    try {
      writeSync(nonBlocking, block);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') return;
      throw e;
    }
  }
}

const exited = (child: ChildProcess) => new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));

/** Stands for process.stdout: records what Node's stream would be given. */
function recordingStream() {
  const chunks: string[] = [];
  const stream = new Writable({ write: (chunk: Buffer, _enc, done) => void (chunks.push(chunk.toString()), done()) });
  return { stream, text: () => chunks.join(''), made: () => chunks.length > 0 };
}

function fileWriter(streamOf = () => recordingStream().stream) {
  dir = mkdtempSync(join(tmpdir(), 'tapctl-fd-'));
  const path = join(dir, 'out.txt');
  const fd = openSync(path, 'w');
  return { writer: new FdWriter(fd, streamOf), read: () => readFileSync(path, 'utf8'), close: () => closeSync(fd) };
}

describe('FdWriter', () => {
  it("writes a light command's output directly, without making Node's stream", () => {
    let streams = 0;
    const { writer, read, close } = fileWriter(() => (streams++, recordingStream().stream));
    writer.write('héllo ✔\n');
    writer.write('x'.repeat(DIRECT_BYTES - 20) + '\n');
    close();
    expect(read()).toBe(`héllo ✔\n${'x'.repeat(DIRECT_BYTES - 20)}\n`);
    expect(streams).toBe(0);
    expect(writer.destroyed).toBe(false);
  });

  it("hands a long output to Node's stream after the first 16 KiB, in order", () => {
    const node = recordingStream();
    const { writer, read, close } = fileWriter(() => node.stream);
    const lines = Array.from({ length: 3000 }, (_, i) => `line ${i}\n`);
    for (const line of lines) writer.write(line);
    close();
    const direct = read();
    expect(Buffer.byteLength(direct)).toBeLessThanOrEqual(DIRECT_BYTES);
    expect(direct + node.text()).toBe(lines.join(''));
  });

  it("a full pipe (another writer, a stalled reader) hands the rest to Node's stream at once: tapctl never blocks, Ctrl-C stays possible", async () => {
    const { child, fd, path } = fifoWithReader('sleep 60');
    const filler = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
    try {
      fillPipe(filler);
      const node = recordingStream();
      // `fd` blocks, as the descriptor a shell gives tapctl does: fdWriter writes the pipe through one that does not.
      const writer = fdWriter(fd, () => node.stream)!;
      expect(writer.write('{"type":"result"}\n')).toBe(true);
      expect(node.text()).toBe('{"type":"result"}\n');
    } finally {
      closeSync(filler);
      closeSync(fd);
      child.kill();
      await exited(child);
    }
  });

  it('a reader that goes away (| head) turns it destroyed; the rest is dropped, without an error or a failure', async () => {
    const { child, fd } = fifoWithReader('head -c 1 >/dev/null');
    try {
      const writer = new FdWriter(fd, () => recordingStream().stream);
      writer.write('x');
      await exited(child);

      expect(writer.readerGone.aborted).toBe(false);
      expect(writer.write('more\n')).toBe(false);
      expect(writer.destroyed).toBe(true);
      expect(writer.readerGone.aborted).toBe(true);
      expect(writer.write('and more\n')).toBe(false);
      // A reader that goes away is no failure of tapctl's: nothing to report at exit.
      expect(writer.failure).toBeUndefined();
    } finally {
      closeSync(fd);
    }
  });

  it.skipIf(!existsSync('/dev/full'))('output that cannot be written (a full disk) is kept as the failure; the rest is dropped, nothing throws', () => {
    const fd = openSync('/dev/full', 'w');
    try {
      const writer = new FdWriter(fd, () => recordingStream().stream);
      expect(writer.write('result\n')).toBe(false);
      expect(writer.failure?.code).toBe('ENOSPC');
      expect(writer.destroyed).toBe(true);
      expect(writer.write('and more\n')).toBe(false);
      expect(writer.failure?.code).toBe('ENOSPC');
    } finally {
      closeSync(fd);
    }
  });

  it("flushed() waits until Node's stream has given a slow reader everything; at once when it never took over", async () => {
    let release: () => void = () => undefined;
    const slow = new Writable({ highWaterMark: 1, write: (_chunk, _enc, done) => void (release = done) });
    const { writer, close } = fileWriter(() => slow);
    await writer.flushed();
    writer.write('x'.repeat(DIRECT_BYTES + 1));
    let flushed = false;
    const waiting = writer.flushed().then(() => (flushed = true));
    await new Promise((r) => setImmediate(r));
    expect(flushed).toBe(false);
    release();
    await waiting;
    expect(flushed).toBe(true);
    close();
  });

  it('is not a terminal', () => {
    const writer = new FdWriter(1, () => recordingStream().stream);
    expect(writer.isTTY).toBe(false);
  });
});

describe('fdWriter', () => {
  it("takes a file or a pipe; a character device (a terminal, /dev/null) or a closed descriptor keeps Node's stream", async () => {
    dir = mkdtempSync(join(tmpdir(), 'tapctl-fd-'));
    const file = openSync(join(dir, 'out.txt'), 'w');
    const devNull = openSync('/dev/null', 'w');
    const streamOf = () => recordingStream().stream;
    try {
      expect(fdWriter(file, streamOf)).toBeInstanceOf(FdWriter);
      expect(fdWriter(devNull, streamOf)).toBeUndefined();
    } finally {
      closeSync(file);
      closeSync(devNull);
    }
    expect(fdWriter(file, streamOf)).toBeUndefined();

    const child = spawn('cat', [], { stdio: ['pipe', 'ignore', 'inherit'] });
    expect(fdWriter(pipeInto(child), streamOf)).toBeInstanceOf(FdWriter);
    child.stdin!.end();
    await exited(child);
  });
});

describe('writeFailureMessage', () => {
  it.each([
    [Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }), 'no space left on device (ENOSPC)'],
    [Object.assign(new Error('EFBIG: file too large, write'), { code: 'EFBIG' }), 'file too large (EFBIG)'],
    [new Error('something else'), 'something else'],
  ])('names the failure in the system\'s words: %s', (error, words) => {
    const text = writeFailureMessage('standard output', error);
    expect(text).toBe(`✖ could not write to standard output: ${words}; the output is incomplete\n  hint: free space where it goes, raise the file size limit (ulimit -f), or send it elsewhere\n`);
  });
});
