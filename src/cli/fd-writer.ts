/**
 * stdout and stderr when they are a pipe or a file (a CI job, a script, `tapctl ... | jq`): written with
 * fs.writeSync, without process.stdout.
 *
 * Why: Node makes process.stdout and process.stderr on first use, and making either loads Node's stream stack
 * (some twenty internal modules: ~2.5 ms of CPU, every start of a light command, measured against `node -e 0`).
 * Node writes to pipes and files synchronously anyway (https://nodejs.org/api/process.html#a-note-on-process-io),
 * so the output, its order and its end are the same. A character device (a terminal, /dev/null) keeps Node's
 * stream: a terminal's width, raw mode and prompts come from it.
 */
import { fstatSync, writeSync } from 'node:fs';

/** What tapctl's output needs of stdout and stderr (IoHost, commander): a stream has it, so has an FdWriter. */
export interface TextSink {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  /** A terminal's width in characters; undefined elsewhere. */
  readonly columns?: number;
}

/** How long to wait before writing again to a full non-blocking pipe (ms). */
const FULL_PIPE_WAIT_MS = 1;

/** Writes to a file descriptor that is a pipe, a file or a socket; never a terminal. */
export class FdWriter implements TextSink {
  readonly isTTY = false;

  /** `onBrokenPipe`: called when the reader has gone (EPIPE: `tapctl ... | head`), in place of writing. */
  constructor(
    private readonly fd: number,
    private readonly onBrokenPipe: () => void,
  ) {}

  /** Writes all of `text` before it returns. Errors other than a gone reader are thrown, as a stream's would be. */
  write(text: string): boolean {
    const bytes = Buffer.from(text);
    for (let offset = 0; offset < bytes.length; ) {
      try {
        offset += writeSync(this.fd, bytes, offset);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EPIPE') {
          this.onBrokenPipe();
          return false;
        }
        // A pipe another process made non-blocking and whose reader is behind: wait for it, as a blocking write would.
        if (code !== 'EAGAIN') throw e;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, FULL_PIPE_WAIT_MS);
      }
    }
    return true;
  }
}

/**
 * An FdWriter for `fd` when it is a pipe, a file or a socket; undefined for a character device (a terminal,
 * /dev/null) or a descriptor that cannot be examined, which keep Node's own stream.
 */
export function fdWriter(fd: number, onBrokenPipe: () => void): FdWriter | undefined {
  try {
    const stat = fstatSync(fd);
    return stat.isFIFO() || stat.isFile() || stat.isSocket() ? new FdWriter(fd, onBrokenPipe) : undefined;
  } catch {
    return undefined;
  }
}
