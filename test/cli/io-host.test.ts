import { Writable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError, OperationError, RefusedError } from '../../src/cli/errors.js';
import { IoHost } from '../../src/cli/io-host.js';

class Sink extends Writable {
  text = '';
  constructor(public isTTY = false) {
    super();
  }
  override _write(chunk: Buffer, _e: string, cb: () => void) {
    this.text += chunk.toString();
    cb();
  }
}

function host(opts: { json?: boolean; tty?: boolean; env?: NodeJS.ProcessEnv; color?: boolean; verbose?: boolean } = {}) {
  const stdout = new Sink(opts.tty);
  const stderr = new Sink(opts.tty);
  const io = new IoHost({ stdout, stderr, json: opts.json ?? false, verbose: opts.verbose ?? false, color: opts.color ?? true, env: opts.env ?? {} });
  return { io, stdout, stderr };
}

const ANSI = /\x1b\[/;

describe('IoHost', () => {
  it('sends human messages to stderr and results to stdout', () => {
    const { io, stdout, stderr } = host();
    io.info('synthesizing');
    io.result({ a: 1 }, (d) => `a is ${d.a}`);
    expect(stderr.text).toBe('synthesizing\n');
    expect(stdout.text).toBe('a is 1\n');
  });

  it('with --json, stdout carries exactly one JSON document and nothing else', () => {
    const { io, stdout, stderr } = host({ json: true });
    io.info('chatter');
    io.section('Stack');
    io.check('pass', 'credentials');
    io.warn('careful');
    io.command = 'validate';
    io.result({ ok: true, file: 'x' }, () => 'human text');
    expect(stdout.text.split('\n')).toEqual([JSON.stringify({ type: 'result', ok: true, command: 'validate', file: 'x' }), '']);
    expect(stderr.text).toBe('! careful\n');
    expect(() => io.result({ again: 1 })).toThrow(/two JSON results/);
  });

  it('with --json, an error becomes the one JSON document, with its exit code', () => {
    const { io, stdout } = host({ json: true });
    const code = io.reportError(new RefusedError('wrong account', { hint: 'use the right profile' }));
    expect(code).toBe(3);
    expect(stdout.text.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(stdout.text)).toEqual({ type: 'result', ok: false, error: { code: 'refused', exitCode: 3, message: 'wrong account', hint: 'use the right profile' } });
  });

  it('colours only on a TTY', () => {
    const tty = host({ tty: true });
    tty.io.reportError(new OperationError('boom'));
    expect(tty.stderr.text).toMatch(ANSI);
    const pipe = host({ tty: false });
    pipe.io.reportError(new OperationError('boom'));
    expect(pipe.stderr.text).not.toMatch(ANSI);
  });

  it('honours NO_COLOR and --no-color even on a TTY', () => {
    const a = host({ tty: true, env: { NO_COLOR: '1' } });
    a.io.reportError(new OperationError('boom'));
    expect(a.stderr.text).not.toMatch(ANSI);
    const b = host({ tty: true, color: false });
    b.io.reportError(new OperationError('boom'));
    expect(b.stderr.text).not.toMatch(ANSI);
  });

  it('prints one message and a hint for a user error, and no stack trace unless verbose', () => {
    const quiet = host();
    expect(quiet.io.reportError(new ConfigError('bad config', { hint: 'run tapctl validate' }))).toBe(2);
    expect(quiet.stderr.text).toBe('✖ bad config\n  hint: run tapctl validate\n');
    const loud = host({ verbose: true });
    loud.io.reportError(new ConfigError('bad config'));
    expect(loud.stderr.text).toMatch(/at .*io-host\.test\.ts/);
  });

  it('says an unexpected error is a bug and how to report it', () => {
    const { io, stderr } = host();
    expect(io.reportError(new TypeError('x is undefined'))).toBe(1);
    expect(stderr.text).toMatch(/internal error: x is undefined/);
    expect(stderr.text).toMatch(/bug in tapctl.*--verbose/);
    expect(stderr.text).not.toMatch(/at /);
  });

  it('redraws live progress only on an interactive terminal outside CI', () => {
    const tty = host({ tty: true });
    tty.io.progress('3/10 resources');
    expect(tty.stderr.text).toContain('3/10 resources');
    const ci = host({ tty: true, env: { CI: 'true' } });
    ci.io.progress('3/10 resources');
    expect(ci.stderr.text).toBe('');
  });

  describe('a long wait', () => {
    afterEach(() => vi.useRealTimers());

    it('without a terminal (CI): a line when the text changes, and at least every 30 s while it does not', () => {
      vi.useFakeTimers({ now: 0 });
      const { io, stderr } = host();
      io.waiting('rollout in_progress: 0/2 running', 0);
      io.waiting('rollout in_progress: 0/2 running', 10_000);
      vi.setSystemTime(10_000);
      io.waiting('rollout in_progress: 0/2 running', 10_000);
      vi.setSystemTime(31_000);
      io.waiting('rollout in_progress: 0/2 running', 31_000);
      vi.setSystemTime(32_000);
      io.waiting('rollout in_progress: 1/2 running', 32_000);
      expect(stderr.text.split('\n').filter(Boolean)).toEqual([
        '  … rollout in_progress: 0/2 running  (0s)',
        '  … rollout in_progress: 0/2 running  (31s)',
        '  … rollout in_progress: 1/2 running  (32s)',
      ]);
    });

    it('on a terminal: one live line, redrawn; with --json: nothing', () => {
      const tty = host({ tty: true });
      tty.io.waiting('waiting for TapStack-shop-dev (UPDATE_IN_PROGRESS)', 400_000);
      expect(tty.stderr.text).toBe('\r\x1b[2Kwaiting for TapStack-shop-dev (UPDATE_IN_PROGRESS)  (6m40s)');
      const json = host({ json: true });
      json.io.waiting('x', 1);
      expect(json.stderr.text + json.stdout.text).toBe('');
    });
  });

  it('one colour decision: --no-color, NO_COLOR, TERM=dumb or no terminal turn it off for everything that asks', () => {
    expect(host({ tty: true }).io.colour).toBe(true);
    expect(host({ tty: true, color: false }).io.colour).toBe(false);
    expect(host({ tty: true, env: { NO_COLOR: '1' } }).io.colour).toBe(false);
    expect(host({ tty: true, env: { TERM: 'dumb' } }).io.colour).toBe(false);
    expect(host({ tty: false }).io.colour).toBe(false);
  });

  it('a command result in parts (status --watch) goes to stdout, redrawn in place only on a terminal', () => {
    const pipe = host();
    pipe.io.output('refresh 1', { redraw: true });
    pipe.io.output('refresh 2', { redraw: true });
    expect(pipe.stdout.text).toBe('refresh 1\nrefresh 2\n');
    expect(pipe.stderr.text).toBe('');
    const tty = host({ tty: true });
    tty.io.output('refresh 1', { redraw: true });
    expect(tty.stdout.text).toBe('\x1b[H\x1b[2Jrefresh 1\n');
  });
});
