/** The process edge: the one place that sets the exit code. */
import { readFileSync, writeSync } from 'node:fs';
import { FdWriter, fdWriter, writeFailureMessage } from './fd-writer.js';
import { runCli } from './program.js';

const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

// tapctl pins its AWS SDK versions, so the SDK's "future releases need Node 22" notice is not actionable for a
// tapctl user and would interleave 8 lines with every command's output. The project moves to Node 22 before it
// takes an SDK release that needs it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// `tapctl ... | head`: when the reader goes away, what is written after is dropped (the stream is then destroyed,
// which the follow and watch loops look at) and the command ends with its own exit code; no EPIPE crash. Any other
// write error (a full disk, a file size limit) is kept and reported when the command is over (cli/fd-writer.ts).
const guarded = new WeakSet<NodeJS.WriteStream>();
const streamFailures = new Map<NodeJS.WriteStream, NodeJS.ErrnoException>();
function guard(stream: NodeJS.WriteStream): NodeJS.WriteStream {
  if (!guarded.has(stream)) {
    guarded.add(stream);
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE' && !streamFailures.has(stream)) streamFailures.set(stream, e);
    });
  }
  return stream;
}
const failureOf = (sink: FdWriter | NodeJS.WriteStream | undefined) =>
  sink instanceof FdWriter ? sink.failure : sink ? streamFailures.get(sink) : undefined;
// A pipe or a file is written directly (cli/fd-writer.ts says why); a terminal through Node's stream.
let stdout: FdWriter | NodeJS.WriteStream | undefined;
let stderr: FdWriter | NodeJS.WriteStream | undefined;
// Set once the command is over and only its output may still be on its way to a slow reader.
let finished = false;

const controller = new AbortController();
let interrupts = 0;
// While a child owns the terminal (tapctl exec's session), Ctrl-C is the child's: the terminal sends it to the
// whole foreground group, and the session passes it on to the remote shell.
let held = 0;
process.on('SIGINT', () => {
  if (held > 0) return;
  interrupts += 1;
  // A second Ctrl-C means "now": leave without waiting for the command to wind down (or its output to drain).
  if (interrupts > 1 || finished) process.exit(130);
  controller.abort('SIGINT');
});
// SIGTERM (a cancelled CI job, `docker stop`, `timeout`): wind down as for Ctrl-C, with the result line, and exit
// 143 (128 + 15); a second one leaves at once. Without a handler Node would die silently with no result line.
let terminations = 0;
process.on('SIGTERM', () => {
  terminations += 1;
  if (terminations > 1 || finished) process.exit(143);
  controller.abort('SIGTERM');
});

// Node makes process.stdin, stdout and stderr on first use, each a stream (often a socket) that costs milliseconds
// to set up: --help needs only stdout, and only a command that asks questions needs stdin.
// No top-level await: the bundle is CommonJS (scripts/lib/to-commonjs.js says why), which has none.
void runCli(process.argv.slice(2), {
  get stdout() {
    return (stdout ??= fdWriter(1, () => guard(process.stdout)) ?? guard(process.stdout));
  },
  get stderr() {
    return (stderr ??= fdWriter(2, () => guard(process.stderr)) ?? guard(process.stderr));
  },
  get stdin() {
    return process.stdin;
  },
  env: process.env,
  cwd: process.cwd(),
  signal: controller.signal,
  version,
  holdInterrupts: () => {
    held += 1;
    return () => void (held -= 1);
  },
}).then(async (commandCode) => {
  let code = commandCode;
  process.exitCode = code;
  finished = true;
  // All of the output reaches a slow reader first (`tapctl logs | less`); Ctrl-C or SIGTERM now leaves at once.
  await Promise.all([stdout, stderr].map((sink) => (sink instanceof FdWriter ? sink.flushed() : undefined)));
  // Output that could not be written is a failure of the run, said once; a failed stderr can say nothing more.
  // Node's stream reports a failed write on a later tick: wait for it (one turn of the event loop).
  if ([stdout, stderr].some((sink) => sink !== undefined && !(sink instanceof FdWriter))) await new Promise((resolve) => setImmediate(resolve));
  const outFailure = failureOf(stdout);
  if (outFailure || failureOf(stderr)) {
    if (code === 0) process.exitCode = code = 1;
    if (outFailure && !failureOf(stderr)) {
      try {
        writeSync(2, writeFailureMessage('standard output', outFailure));
      } catch {
        // stderr is gone or full too: the exit code is all that is left to say it.
      }
    }
  }
  // The command is over: a socket left open by an unanswered request must not keep the process (and a CI job)
  // alive. Unref'd, so a process with nothing pending still exits at once.
  setTimeout(() => process.exit(code), 2_000).unref();
});
