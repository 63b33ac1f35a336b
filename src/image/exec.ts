/**
 * The one place src/image starts processes. Builders, git and the probes take a `Spawn` so tests can record
 * every argv and environment (and prove that no secret is in them) or answer with canned output.
 */
import type { spawn as Spawner } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';

export interface SpawnRequest {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd?: string;
  /** The complete environment of the child (not merged with process.env here: callers decide). */
  readonly env?: NodeJS.ProcessEnv;
  /** Written to the child's stdin, which is then closed. The only channel a password may travel on. */
  readonly input?: string;
  /** Each complete line of stdout and stderr, as it arrives. */
  readonly onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  readonly signal?: AbortSignal;
  /** Kill the child after this long (probes); no limit by default. */
  readonly timeoutMs?: number;
}

export interface SpawnResult {
  /** Exit code; 127 when the command could not be started, 124 after a timeout, 130 when aborted. */
  readonly code: number;
  /** Captured output (stdout up to 1 MiB). */
  readonly stdout: string;
  /** The last lines of stderr and stdout interleaved, for error messages. */
  readonly tail: readonly string[];
  /** Set when the process could not be started (ENOENT ...). */
  readonly error?: Error;
}

export type Spawn = (request: SpawnRequest) => Promise<SpawnResult>;

const MAX_STDOUT = 1024 * 1024;
const TAIL_LINES = 40;

/**
 * node:child_process, loaded when a process is started: it brings node:net along, ~10 ms of every tapctl start
 * (this module is reached from push-image's command registration).
 */
const nodeSpawn: typeof Spawner = ((...args: Parameters<typeof Spawner>) =>
  (createRequire(import.meta.url)('node:child_process') as typeof import('node:child_process')).spawn(...args)) as typeof Spawner;

/** The real thing: child_process.spawn, no shell, output split into lines. */
export const spawnProcess: Spawn = (request) =>
  new Promise((resolve) => {
    const tail: string[] = [];
    let stdout = '';
    let settled = false;
    // Declared before finish(): a spawn that throws at once (a cwd that is a file) finishes before they are set.
    let timer: ReturnType<typeof setTimeout> | undefined;
    let onAbort: () => void = () => undefined;
    const finish = (result: SpawnResult) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      request.signal?.removeEventListener('abort', onAbort);
      resolve(result);
    };
    let child: ReturnType<typeof nodeSpawn>;
    try {
      child = nodeSpawn(request.command, [...request.args], {
        cwd: request.cwd,
        env: request.env,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
    } catch (error) {
      finish({ code: 127, stdout: '', tail: [], error: error as Error });
      return;
    }
    let timedOut = false;
    timer = request.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          child.kill('SIGKILL');
        }, request.timeoutMs)
      : undefined;
    onAbort = () => child.kill('SIGTERM');
    request.signal?.addEventListener('abort', onAbort, { once: true });

    const lineReader = (stream: 'stdout' | 'stderr') => {
      let partial = '';
      const emit = (line: string) => {
        // Progress bars redraw with \r; the last state of the line is what a person would see.
        const text = line.split('\r').filter((part) => part !== '').pop() ?? '';
        tail.push(text);
        if (tail.length > TAIL_LINES) tail.shift();
        request.onLine?.(text, stream);
      };
      return {
        data(chunk: Buffer) {
          const text = chunk.toString('utf8');
          if (stream === 'stdout' && stdout.length < MAX_STDOUT) stdout += text;
          partial += text;
          const lines = partial.split('\n');
          partial = lines.pop() ?? '';
          lines.forEach(emit);
        },
        end() {
          if (partial) emit(partial);
          partial = '';
        },
      };
    };
    const out = lineReader('stdout');
    const err = lineReader('stderr');
    child.stdout?.on('data', out.data);
    child.stderr?.on('data', err.data);
    child.on('error', (error) => finish({ code: 127, stdout, tail, error }));
    child.on('close', (code, sig) => {
      out.end();
      err.end();
      const aborted = request.signal?.aborted ?? false;
      finish({ code: timedOut ? 124 : aborted ? 130 : (code ?? (sig ? 128 : 1)), stdout, tail });
    });
    // A child that exits before reading stdin must not crash tapctl with EPIPE.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(request.input ?? '');
  });

/** Whether `name` is an executable on PATH (no process started). */
export type Which = (name: string) => string | undefined;

export function whichOnPath(env: NodeJS.ProcessEnv): Which {
  return (name) => {
    const dirs = (env.PATH ?? '').split(delimiter).filter(Boolean);
    const exts = process.platform === 'win32' ? (env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';') : [''];
    for (const dir of dirs) {
      for (const ext of exts) {
        const candidate = join(dir, name + ext);
        try {
          accessSync(candidate, constants.X_OK);
          if (statSync(candidate).isFile()) return candidate;
        } catch {
          // not here
        }
      }
    }
    return undefined;
  };
}

/** For messages: the command as a person would type it (argv never holds a secret, so this is safe to show). */
export function formatCommand(command: string, args: readonly string[]): string {
  return [command, ...args].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}
