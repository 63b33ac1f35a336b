/**
 * Runs tapctl in-process (runCli) with captured streams, or spawns the built binary for e2e tests.
 * In-process runs let aws-sdk-client-mock intercept the SDK; spawned runs prove the real process edge.
 */
import { spawn } from 'node:child_process';
import { PassThrough, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../src/cli/program.js';
import type { Prompter } from '../../src/cli/prompter.js';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface InProcessOptions {
  readonly cwd: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Pretend stdin, stdout and stderr are terminals. */
  readonly tty?: boolean;
  readonly prompter?: Prompter;
  readonly signal?: AbortSignal;
  /** What stdin holds (then it ends); without it, stdin stays open and empty. */
  readonly input?: string;
  /** The reader of stdout goes away after this many lines (`| head -n`): later writes are dropped. */
  readonly readerGoneAfterLines?: number;
  /** The reader of stdout goes away when this aborts, written to or not. */
  readonly readerGoneWhen?: AbortSignal;
}

/** stdout read by `head -n <lines>` (or until `leaves` aborts): `destroyed` and `readerGone` once it has gone. */
class HeadReader {
  text = '';
  readonly isTTY = false;
  private readonly gone = new AbortController();
  readonly readerGone: AbortSignal;
  constructor(
    private readonly lines: number,
    leaves?: AbortSignal,
  ) {
    this.readerGone = leaves ? AbortSignal.any([this.gone.signal, leaves]) : this.gone.signal;
  }
  get destroyed(): boolean {
    return this.readerGone.aborted;
  }
  write(chunk: string): boolean {
    if (this.destroyed) return false;
    this.text += chunk;
    if (this.text.split('\n').length > this.lines) this.gone.abort();
    return true;
  }
}

class Capture extends Writable {
  text = '';
  isTTY: boolean;
  columns = 100;
  constructor(tty: boolean) {
    super();
    this.isTTY = tty;
  }
  override _write(chunk: Buffer, _enc: string, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

/** Only what tests intend: no real credentials or profile from the developer's shell leak in. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const keep = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'XDG_CONFIG_HOME', 'XDG_CACHE_HOME'];
  const base: NodeJS.ProcessEnv = Object.fromEntries(keep.filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k]]));
  return { ...base, NO_COLOR: '1', AWS_EC2_METADATA_DISABLED: 'true', ...extra };
}

export async function runTapctl(argv: string[], options: InProcessOptions): Promise<CliRun> {
  const gone = options.readerGoneAfterLines !== undefined || options.readerGoneWhen !== undefined;
  const stdout = gone ? new HeadReader(options.readerGoneAfterLines ?? Infinity, options.readerGoneWhen) : new Capture(options.tty ?? false);
  const stderr = new Capture(options.tty ?? false);
  const stdin = Object.assign(new PassThrough(), { isTTY: options.tty ?? false });
  if (options.input !== undefined) stdin.end(options.input);
  const code = await runCli(argv, {
    stdout,
    stderr,
    stdin,
    env: options.env ?? cleanEnv(),
    cwd: options.cwd,
    signal: options.signal ?? new AbortController().signal,
    version: '0.0.0-test',
    prompter: options.prompter,
  });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

export const BIN = fileURLToPath(new URL('../../bin/tapctl.cjs', import.meta.url));

/** Spawns bin/tapctl.cjs (needs `npm run build` first) with no TTY, like a CI job. */
export function spawnTapctl(argv: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number }): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...argv], { cwd: options.cwd, env: options.env ?? cleanEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}
