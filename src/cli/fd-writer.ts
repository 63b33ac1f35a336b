/**
 * stdout and stderr when they are a pipe or a file (a CI job, a script, `tapctl ... | jq`): the first 16 KiB are
 * written with fs.writeSync, without process.stdout; more than that goes through Node's stream.
 *
 * Why: Node makes process.stdout and process.stderr on first use, and making either loads Node's stream stack
 * (some twenty internal modules: ~2.5 ms of CPU, every start of a light command, measured against `node -e 0`).
 * A light command's whole output is a few KiB, which a pipe takes at once (it holds 64 KiB). A long or endless output
 * (logs, a big --json) goes through Node's stream as before, which never blocks tapctl on a slow reader: Ctrl-C
 * and SIGTERM are still handled while the reader is behind. A character device (a terminal, /dev/null) keeps
 * Node's stream from the start: a terminal's width, raw mode and prompts come from it.
 *
 * Never blocked by a slow reader: a pipe is written through a non-blocking descriptor of its own (Linux's
 * /proc/self/fd: a pipe has no file offset to share), and a full pipe hands the rest to Node's stream at once, so a
 * pipe another writer filled first cannot hold off Ctrl-C. Where no such descriptor can be had (macOS), a pipe
 * keeps Node's stream. A file never blocks; a socket (Node's own child processes) is written as is: 16 KiB fit in
 * a fresh one.
 *
 * When the reader goes away (EPIPE: `tapctl ... | head`), what is written after is dropped, `destroyed` turns
 * true and `readerGone` aborts, as for Node's stream; the command runs on to its own end and exit code
 * (cli/main.ts), a follow or a watch ends.
 *
 * When the output cannot be written (a full disk: ENOSPC; a file size limit: EFBIG; EIO), the rest is dropped the
 * same way, the failure is kept (`failure`), and cli/main.ts says so once on stderr and exits 1: the command's work
 * is not cut off by a crash halfway, and a script never takes a cut-short output for a whole one.
 */
import { constants, openSync, writeSync } from 'node:fs';
import { fstatOf } from '../state/stat.js';

/** What tapctl's output needs of stdout and stderr (IoHost, commander): a stream has it, so has an FdWriter. */
export interface TextSink {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  /** A terminal's width in characters; undefined elsewhere. */
  readonly columns?: number;
  /** True once the reader has gone: what is written is dropped. */
  readonly destroyed?: boolean;
  /** Aborts when the reader has gone (a follow waiting for the next event learns it without writing). */
  readonly readerGone?: AbortSignal;
}

/**
 * The two lines tapctl prints on stderr when `where` ('standard output') could not be written, from the write's
 * error: `✖ <what>` and `  hint: <what to do>`.
 */
export function writeFailureMessage(where: string, e: NodeJS.ErrnoException): string {
  // Node's message is "<CODE>: <the system's words>, write".
  const words = /^[A-Z0-9]+: (.*?)(, write)?$/.exec(e.message)?.[1] ?? e.message;
  const code = e.code ? ` (${e.code})` : '';
  return `✖ could not write to ${where}: ${words}${code}; the output is incomplete\n  hint: free space where it goes, raise the file size limit (ulimit -f), or send it elsewhere\n`;
}

/** Bytes written directly before Node's stream takes over: well under what a pipe holds (64 KiB on Linux). */
export const DIRECT_BYTES = 16 * 1024;

/** Writes to a file descriptor that is a pipe, a file or a socket; never a terminal. */
export class FdWriter implements TextSink {
  readonly isTTY = false;
  private written = 0;
  private readonly gone = new AbortController();
  private stream: (NodeJS.WritableStream & { destroyed?: boolean; writableLength?: number }) | undefined;
  /** The first write that failed other than for a reader gone (a full disk, a file size limit). */
  failure: NodeJS.ErrnoException | undefined;

  /** `streamOf`: Node's stream on the same descriptor (process.stdout or process.stderr), made when it takes over. */
  constructor(
    private readonly fd: number,
    private readonly streamOf: () => NodeJS.WritableStream,
  ) {}

  get destroyed(): boolean {
    return this.gone.signal.aborted || Boolean(this.stream?.destroyed);
  }

  get readerGone(): AbortSignal {
    return this.gone.signal;
  }

  write(text: string): boolean {
    if (this.stream) return this.stream.write(text);
    if (this.gone.signal.aborted) return false;
    const bytes = Buffer.from(text);
    if (this.written + bytes.length > DIRECT_BYTES) return this.handOver(bytes);
    for (let offset = 0; offset < bytes.length; ) {
      try {
        const n = writeSync(this.fd, bytes, offset);
        offset += n;
        this.written += n;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EPIPE') {
          this.gone.abort();
          return false;
        }
        // A full pipe another process made non-blocking: Node's stream waits for the reader without blocking tapctl.
        if (code === 'EAGAIN') return this.handOver(bytes.subarray(offset));
        // Nothing more can be written (see the module comment): the rest is dropped, the failure reported at exit.
        this.failure = e as NodeJS.ErrnoException;
        this.gone.abort();
        return false;
      }
    }
    return true;
  }

  /** Resolves once Node's stream, if it took over, has given the reader everything (or the reader has gone). */
  flushed(): Promise<void> {
    const stream = this.stream;
    if (!stream || stream.destroyed || !stream.writableLength) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        stream.off('drain', done);
        stream.off('close', done);
        resolve();
      };
      stream.on('drain', done);
      stream.on('close', done);
    });
  }

  private handOver(rest: Buffer): boolean {
    this.stream = this.streamOf();
    // Node's stream is destroyed (and closed) once a write meets EPIPE: the reader has gone.
    this.stream.once('close', () => this.gone.abort());
    return this.stream.write(rest);
  }
}

/**
 * An FdWriter for `fd` when it is a file, a socket, or a pipe with a non-blocking descriptor of its own; undefined
 * for a character device (a terminal, /dev/null), a pipe without one, or a descriptor that cannot be examined, which
 * keep Node's stream.
 */
export function fdWriter(fd: number, streamOf: () => NodeJS.WritableStream): FdWriter | undefined {
  try {
    // Not fs.fstatSync: on a pipe it would make the next require() keep links unresolved (state/stat.ts).
    const stat = fstatOf(fd);
    if (stat.isFile || stat.isSocket) return new FdWriter(fd, streamOf);
    if (!stat.isFIFO) return undefined;
    // Opened anew, the pipe gets a file description of its own: O_NONBLOCK there leaves every other writer's be.
    return new FdWriter(openSync(`/proc/self/fd/${fd}`, constants.O_WRONLY | constants.O_NONBLOCK), streamOf);
  } catch {
    return undefined;
  }
}
