/**
 * The seam between tapctl's logic and the terminal (style.md pattern 1, after toolkit-lib's IIoHost).
 *
 * Commands say *what* happened (a level, a code, a message, data); the host decides how it looks. Human output
 * goes to stderr, colour only on a TTY and never with NO_COLOR / --no-color; results go to stdout.
 *
 * The --json contract, the same for every command: stdout is NDJSON, zero or more event lines
 * (`{"type":"<event>","time":...}`) and exactly one final line, written here and nowhere else:
 *   {"type":"result","ok":true,"command":"<verb>",...the command's result data}
 *   {"type":"result","ok":false,"command":"<verb>","error":{"code","exitCode","message","hint","details"?}}
 * Commands return their data; the runner hands it to `result`; a failure reaches `reportError`.
 */
import { boundQuotedValues } from './quote.js';
import type { TextSink } from './fd-writer.js';
import { styleText } from 'node:util';
import { ExitCode, isTapctlError } from './errors.js';

export type Level = 'error' | 'warn' | 'info' | 'success' | 'debug';

export interface IoMessage {
  readonly level: Level;
  readonly code?: string;
  readonly message: string;
  readonly data?: unknown;
}

/** Semantic text styles, so that commands never write escape codes. Identity functions without colour. */
export interface Styles {
  readonly bold: (s: string) => string;
  readonly dim: (s: string) => string;
  readonly good: (s: string) => string;
  readonly bad: (s: string) => string;
  readonly warn: (s: string) => string;
  readonly accent: (s: string) => string;
  readonly code: (s: string) => string;
}

export type CheckStatus = 'pass' | 'fail' | 'warn' | 'skip';

export interface IoHostOptions {
  readonly stdout: TextSink;
  readonly stderr: TextSink;
  readonly json: boolean;
  readonly verbose: boolean;
  /** false when --no-color was given. */
  readonly color: boolean;
  readonly env: NodeJS.ProcessEnv;
}

/** How often a long wait prints a line when nobody watches a terminal (a CI log): often enough to show it lives. */
export const WAIT_LINE_EVERY_MS = 30_000;

export class IoHost {
  readonly json: boolean;
  readonly verbose: boolean;
  readonly style: Styles;
  /** Styles for lines written to stdout with `output`: colour only when stdout itself is a terminal. */
  readonly outStyle: Styles;
  /** The one colour decision (--no-color, NO_COLOR, TERM=dumb, a TTY): the IoHost's styles and the prompts follow it. */
  readonly colour: boolean;
  /** True when a person is watching stderr: live progress may redraw in place. */
  readonly live: boolean;
  private readonly out: IoHostOptions['stdout'];
  private readonly err: IoHostOptions['stderr'];
  private resultWritten = false;
  private liveLine = false;
  private lastWait?: { text: string; at: number };
  /** The verb being run (set by the runner), named in the result line. */
  command?: string;

  constructor(options: IoHostOptions) {
    this.out = options.stdout;
    this.err = options.stderr;
    this.json = options.json;
    this.verbose = options.verbose;
    const noColor = options.env.NO_COLOR !== undefined && options.env.NO_COLOR !== '';
    const colour = options.color && !noColor && Boolean(options.stderr.isTTY) && options.env.TERM !== 'dumb';
    this.live = Boolean(options.stderr.isTTY) && options.env.CI === undefined;
    this.colour = colour;
    this.style = colour ? COLOURED : PLAIN;
    const outColour = options.color && !noColor && Boolean(options.stdout.isTTY) && options.env.TERM !== 'dumb';
    this.outStyle = outColour ? COLOURED : PLAIN;
  }

  /** A message for the person: to stderr. In --json mode only warnings and errors are shown. */
  notify(msg: IoMessage): void {
    if (msg.level === 'debug' && !this.verbose) return;
    if (this.json && (msg.level === 'info' || msg.level === 'success') && !this.verbose) return;
    const s = this.style;
    const prefix =
      msg.level === 'error' ? s.bad('✖ ') : msg.level === 'warn' ? s.warn('! ') : msg.level === 'success' ? s.good('✔ ') : msg.level === 'debug' ? s.dim('· ') : '';
    this.line(prefix + (msg.level === 'debug' ? s.dim(msg.message) : msg.message));
  }

  info(message: string): void {
    this.notify({ level: 'info', message });
  }
  success(message: string): void {
    this.notify({ level: 'success', message });
  }
  warn(message: string): void {
    this.notify({ level: 'warn', message });
  }
  debug(message: string): void {
    this.notify({ level: 'debug', message });
  }

  /** A labelled section heading (status, preflight, plan...). */
  section(title: string): void {
    if (this.json && !this.verbose) return;
    this.line('');
    this.line(this.style.bold(title));
  }

  /** One formatted line per check: pass / fail / warn / skip and why. */
  check(status: CheckStatus, label: string, detail?: string): void {
    const s = this.style;
    const mark = { pass: s.good('✔'), fail: s.bad('✖'), warn: s.warn('!'), skip: s.dim('–') }[status];
    const text = `  ${mark} ${label}${detail ? s.dim(`  ${detail}`) : ''}`;
    if (this.json && !this.verbose && status !== 'fail') return;
    this.line(text);
  }

  /** Aligned key/value rows under a section. */
  rows(rows: ReadonlyArray<readonly [string, string]>): void {
    if (this.json && !this.verbose) return;
    const width = Math.max(0, ...rows.map(([k]) => k.length));
    for (const [k, v] of rows) this.line(`  ${this.style.dim(k.padEnd(width))}  ${v}`);
  }

  /**
   * Live progress: on a TTY redraws one line in place; elsewhere (CI) prints nothing here, since streaming
   * commands print one line per event instead.
   */
  progress(text: string): void {
    if (!this.live || this.json) return;
    const width = (this.err.columns ?? 100) - 1;
    this.err.write(`\r\x1b[2K${text.length > width ? text.slice(0, width - 1) + '…' : text}`);
    this.liveLine = true;
  }

  /**
   * Progress of a long wait (an ECS rollout, a busy stack), with the time waited so far. On a terminal it redraws
   * the live line; without one (CI) it prints a line when the text changes, and at least every
   * WAIT_LINE_EVERY_MS while it does not, so a job log never sits silent for minutes. Nothing with --json.
   */
  waiting(text: string, elapsedMs: number): void {
    if (this.json) return;
    const line = `${text}  (${formatWaited(elapsedMs)})`;
    if (this.live) return this.progress(line);
    const now = Date.now();
    if (this.lastWait && this.lastWait.text === text && now - this.lastWait.at < WAIT_LINE_EVERY_MS) return;
    this.lastWait = { text, at: now };
    this.line(`  ${this.style.dim('…')} ${line}`);
  }

  /**
   * The command's result. Human mode: rendered text to stdout (nothing for undefined data). JSON mode: the one
   * final line, `{"type":"result","ok":true,"command":...,...data}`.
   */
  result(data: unknown, render?: (data: any, style: Styles) => string): void {
    this.clearLive();
    if (this.json) {
      if (this.resultWritten) throw new Error('internal: a command wrote two JSON results');
      this.resultWritten = true;
      this.out.write(JSON.stringify({ type: 'result', ok: true, ...(this.command ? { command: this.command } : {}), ...resultFields(data) }) + '\n');
      return;
    }
    if (data === undefined) return;
    const text = render ? render(data, this.style) : '';
    if (text) this.out.write(text.endsWith('\n') ? text : text + '\n');
  }

  /**
   * Part of a command's human result, written to stdout while the command runs: the log lines of logs and run
   * (so that `tapctl logs | grep` works), status --watch refresh by refresh. `redraw`: when stdout is a terminal
   * (and not CI), clear it first so the view updates in place; elsewhere (a pipe, a file, a CI log) the parts
   * follow each other. Nothing with --json (events carry it).
   */
  output(text: string, options: { redraw?: boolean } = {}): void {
    if (this.json) return;
    this.clearLive();
    const inPlace = options.redraw && Boolean(this.out.isTTY) && this.live;
    this.out.write(`${inPlace ? '\x1b[H\x1b[2J' : ''}${text.endsWith('\n') ? text : `${text}\n`}`);
  }

  /** One NDJSON event line on stdout (with --json; nothing otherwise). `type` names the event; never 'result'. */
  event(event: Record<string, unknown> & { type: string }): void {
    if (!this.json) return;
    if (event.type === 'result') throw new Error('internal: the result line is written by the runner, not as an event');
    if (this.resultWritten) throw new Error('internal: an event after the result line');
    this.out.write(JSON.stringify({ ...event, time: new Date().toISOString() }) + '\n');
  }

  /**
   * True once the reader of stdout has gone (`tapctl logs --follow | head`): what is written is dropped. A command
   * that would write on forever (a follow, a watch) ends there; every other runs to its own end and exit code.
   */
  get outputClosed(): boolean {
    return Boolean(this.out.destroyed);
  }

  /** Aborts when the reader of stdout goes away, also while nothing is being written (a follow between events). */
  get outputGone(): AbortSignal | undefined {
    return this.out.readerGone;
  }

  get hasResult(): boolean {
    return this.resultWritten;
  }

  /** The single place an error becomes output. Returns the exit code to use. */
  reportError(error: unknown): ExitCode {
    this.clearLive();
    const s = this.style;
    if (isTapctlError(error)) {
      // The net under every message: a user's value that slipped in unquoted-by-quote() is still cut to size.
      const message = boundQuotedValues(error.message);
      const hint = error.hint === undefined ? undefined : boundQuotedValues(error.hint);
      this.line(`${s.bad('✖')} ${message}`);
      if (hint) this.line(`  ${s.dim('hint:')} ${hint}`);
      if (this.verbose && error.stack) this.line(s.dim(error.stack));
      if (this.verbose && error.cause instanceof Error && error.cause.stack) this.line(s.dim(`cause: ${error.cause.stack}`));
      this.writeJsonError({ code: error.code, exitCode: error.exitCode, message, hint, details: error.details });
      return error.exitCode;
    }
    const message = boundQuotedValues(error instanceof Error ? error.message : String(error));
    this.line(`${s.bad('✖')} internal error: ${message}`);
    this.line(`  ${s.dim('hint:')} this is a bug in tapctl. Run again with --verbose and report the output to the tapctl maintainers.`);
    if (this.verbose && error instanceof Error && error.stack) this.line(s.dim(error.stack));
    this.writeJsonError({ code: 'internal', exitCode: ExitCode.Failed, message });
    return ExitCode.Failed;
  }

  /** The failure as the one final line (so `tail -n 1 | jq .ok` works whether or not events came before). */
  private writeJsonError(error: Record<string, unknown>): void {
    if (!this.json || this.resultWritten) return;
    this.resultWritten = true;
    const fields = Object.fromEntries(Object.entries(error).filter(([, v]) => v !== undefined));
    this.out.write(JSON.stringify({ type: 'result', ok: false, ...(this.command ? { command: this.command } : {}), error: fields }) + '\n');
  }

  /** Plain line to stderr (clears a live progress line first). */
  line(text: string): void {
    this.clearLive();
    this.err.write(text + '\n');
  }

  private clearLive(): void {
    if (this.liveLine) {
      this.err.write('\r\x1b[2K');
      this.liveLine = false;
    }
  }
}

/** `42s`, `6m40s`: the time a wait has taken. */
function formatWaited(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

/** A command's result data as fields of the result line; the line's own keys (type, ok, command) win. */
function resultFields(data: unknown): Record<string, unknown> {
  if (data === undefined) return {};
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return { data };
  const { type: _type, ok: _ok, command: _command, ...rest } = data as Record<string, unknown>;
  return rest;
}

type Format = Parameters<typeof styleText>[0];

/**
 * Node's own styleText (no colour library to load at every start). tapctl decides about colour itself (above), so
 * newer Node's check of process.stdout is turned off: colour goes to stderr, whatever stdout is.
 */
const styled = (format: Format) => (x: string) => styleText(format, x, { validateStream: false });

const COLOURED: Styles = {
  bold: styled('bold'),
  dim: styled('dim'),
  good: styled('green'),
  bad: styled('red'),
  warn: styled('yellow'),
  accent: styled('cyan'),
  code: styled('cyan'),
};

const identity = (x: string) => x;
const PLAIN: Styles = { bold: identity, dim: identity, good: identity, bad: identity, warn: identity, accent: identity, code: identity };
