/**
 * An in-process push-image harness: a CommandContext over captured streams, so tests can inject the command's
 * seams (spawn, which, AWS clients ...) and still get the exit code and output a user would.
 */
import { PassThrough, Writable } from 'node:stream';
import type { CommandContext, GlobalOptions } from '../../src/cli/context.js';
import { IoHost } from '../../src/cli/io-host.js';
import type { Prompter } from '../../src/cli/prompter.js';
import { render } from '../../src/commands/push-image.js';
import { createRun, type PushImageDeps, type PushImageOptions, type PushImageResult } from '../../src/image/push-flow.js';
import type { SpawnRequest, SpawnResult, Spawn } from '../../src/image/exec.js';
import { cleanEnv } from '../helpers/cli.js';

export class Capture extends Writable {
  text = '';
  columns = 120;
  constructor(public isTTY = false) {
    super();
  }
  override _write(chunk: Buffer, _enc: string, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

const noPrompts: Prompter = {
  input: () => Promise.reject(new Error('no prompts in tests')),
  confirm: () => Promise.reject(new Error('no prompts in tests')),
  select: () => Promise.reject(new Error('no prompts in tests')),
  checkbox: () => Promise.reject(new Error('no prompts in tests')),
};

export interface HarnessOptions {
  readonly cwd: string;
  readonly envName?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly tty?: boolean;
  readonly json?: boolean;
  readonly verbose?: boolean;
  /** --yes: true unless a test is about approval (deploy refuses without it off a terminal). */
  readonly yes?: boolean;
  /** Ctrl-C, for tests that interrupt. */
  readonly signal?: AbortSignal;
}

export function testContext(options: HarnessOptions): { ctx: CommandContext; stdout: Capture; stderr: Capture } {
  const stdout = new Capture(false);
  const stderr = new Capture(options.tty ?? false);
  const env = options.env ?? cleanEnv();
  const globals: GlobalOptions = {
    env: options.envName ?? 'dev',
    json: options.json ?? false,
    yes: options.yes ?? true,
    interactive: false,
    verbose: options.verbose ?? false,
    color: false,
  };
  const io = new IoHost({ stdout, stderr, json: globals.json, verbose: globals.verbose, color: false, env });
  const ctx: CommandContext = {
    io,
    globals,
    cwd: options.cwd,
    stdin: Object.assign(new PassThrough().end(), { isTTY: false }),
    env,
    interactive: false,
    prompter: noPrompts,
    signal: options.signal ?? new AbortController().signal,
    version: '0.0.0-test',
  };
  return { ctx, stdout, stderr };
}

export interface PushRun {
  readonly code: number;
  readonly result?: PushImageResult;
  readonly error?: unknown;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs push-image like the runner does: result rendered, errors through the IoHost's single exit point. */
export async function runPushImage(harness: HarnessOptions, options: PushImageOptions, deps: Partial<PushImageDeps>): Promise<PushRun> {
  const { ctx, stdout, stderr } = testContext(harness);
  ctx.io.command = 'push-image';
  try {
    const result = await createRun(deps)(ctx, options);
    if (result !== undefined) ctx.io.result(result, render);
    return { code: 0, result, stdout: stdout.text, stderr: stderr.text };
  } catch (error) {
    const code = ctx.io.reportError(error);
    return { code, error, stdout: stdout.text, stderr: stderr.text };
  }
}

/** A spawn that records every request and answers from a script (or with exit 0 and no output). */
export function fakeSpawn(answer: (request: SpawnRequest) => Partial<SpawnResult> & { lines?: string[] } = () => ({})): Spawn & { calls: SpawnRequest[] } {
  const calls: SpawnRequest[] = [];
  const spawn = async (request: SpawnRequest): Promise<SpawnResult> => {
    calls.push(request);
    const a = answer(request);
    for (const line of a.lines ?? []) request.onLine?.(line, 'stdout');
    return { code: a.code ?? 0, stdout: a.stdout ?? (a.lines ?? []).join('\n'), tail: a.tail ?? a.lines ?? [], ...(a.error ? { error: a.error } : {}) };
  };
  return Object.assign(spawn, { calls });
}
