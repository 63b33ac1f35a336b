/** What every command receives: the output host, the global options, and the process edge made explicit. */
import type { IoHost } from './io-host.js';
import type { Prompter } from './prompter.js';

export interface GlobalOptions {
  readonly env?: string;
  readonly dir?: string;
  readonly profile?: string;
  readonly region?: string;
  readonly json: boolean;
  readonly yes: boolean;
  /** false with --no-interactive. */
  readonly interactive: boolean;
  readonly verbose: boolean;
  /** false with --no-color. */
  readonly color: boolean;
}

export interface CommandContext {
  readonly io: IoHost;
  readonly globals: GlobalOptions;
  readonly cwd: string;
  /**
   * Standard input: where `secrets set` reads a value from (never from argv), and `-` as a file (env sweep
   * --live-branches -). Made on first use: touching it makes Node set up process.stdin.
   */
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  /** The process environment (credentials, NO_COLOR, CI ...), passed in so tests control it. */
  readonly env: NodeJS.ProcessEnv;
  /** A person can answer questions: stdin and stderr are terminals and --no-interactive was not given. */
  readonly interactive: boolean;
  readonly prompter: Prompter;
  /** Aborted on Ctrl-C; long waits watch it and end with exit 130. */
  readonly signal: AbortSignal;
  /** tapctl's version, for caches and --version. */
  readonly version: string;
  /**
   * While a child process owns the terminal (exec's session), Ctrl-C belongs to it, not to tapctl: call this
   * before starting it and the returned function after it ended. Absent in tests and embedded runs.
   */
  readonly holdInterrupts?: () => () => void;
}
