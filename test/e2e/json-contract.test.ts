/**
 * One --json contract for every command, checked on the commands the program itself registers (so a command
 * added later is covered without editing this test): stdout is NDJSON, zero or more event lines and exactly one
 * final line {"type":"result","ok":true|false,"command":"<verb>",...}; a failure carries
 * error {code, exitCode, message, hint?, details?} and its exit code is error.exitCode.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram, type Runner } from '../../src/cli/program.js';
import { cleanEnv, spawnTapctl, type CliRun } from '../helpers/cli.js';
import { tempProject, type TempProject } from '../helpers/project.js';

const noop: Runner = { action: () => async () => undefined };
const sink = { write: () => true } as unknown as NodeJS.WritableStream;
/** Every command, and every subcommand as `<command> <subcommand>` (env create ...): what the result line names. */
const VERBS = buildProgram(noop, { stdout: sink, stderr: sink, version: '0' }).commands.flatMap((c) => [c.name(), ...c.commands.map((sub) => `${c.name()} ${sub.name()}`)]);

/** The ones that can succeed offline, and how. Commands not listed are checked on failures only. */
const OFFLINE_SUCCESS: Record<string, (dir: string) => string[]> = {
  init: () => ['init', '--account', '123456789012', '--email', 'ops@shop.io', '--yes', '--no-git'],
  validate: () => ['validate'],
  config: () => ['config', '--env', 'dev'],
  synth: () => ['synth', '--env', 'dev'],
  deploy: () => ['deploy', '--env', 'dev', '--dry-run'],
  // Without credentials the role ARNs are the computed ones (a warning on stderr); --force: run it twice, same answer.
  'ci init': () => ['ci', 'init', 'github', '--force'],
};

let project: TempProject;
let empty: string;
beforeAll(() => {
  project = tempProject();
  empty = mkdtempSync(join(tmpdir(), 'tapctl-contract-'));
});
afterAll(() => {
  project.cleanup();
  rmSync(empty, { recursive: true, force: true });
});

/** The contract itself; returns the result line. */
function checkContract(r: CliRun, verb: string): Record<string, any> {
  expect(r.stdout.endsWith('\n'), r.stdout).toBe(true);
  const lines = r.stdout.slice(0, -1).split('\n');
  const parsed = lines.map((l) => JSON.parse(l) as Record<string, any>);
  for (const line of parsed.slice(0, -1)) {
    expect(typeof line.type).toBe('string');
    expect(line.type).not.toBe('result');
  }
  const result = parsed.at(-1)!;
  expect(result.type).toBe('result');
  expect(result.command).toBe(verb);
  expect(result.ok).toBe(r.code === 0);
  if (result.ok === false) {
    expect(result.error).toMatchObject({ code: expect.any(String), exitCode: r.code, message: expect.any(String) });
    expect(Object.keys(result.error).every((k) => ['code', 'exitCode', 'message', 'hint', 'details'].includes(k))).toBe(true);
    expect(Object.keys(result)).toEqual(['type', 'ok', 'command', 'error']);
  }
  return result;
}

const run = (argv: string[], cwd: string) => spawnTapctl([...argv, '--json'], { cwd, env: cleanEnv(), timeoutMs: 60_000 });

describe('the --json contract, for every command of the program', () => {
  it('the program registers the commands the contract is checked on', () => {
    expect(VERBS).toEqual(expect.arrayContaining(['init', 'validate', 'deploy', 'status', 'push-image', 'env create', 'env list', 'env sweep']));
  });

  it.each(VERBS)('%s: a failure (no project here) is one result line with the error', async (verb) => {
    const r = await run([...verb.split(' '), '--env', 'dev'], empty);
    expect(r.code).not.toBe(0);
    const result = checkContract(r, verb);
    expect(result.error.exitCode).toBe(2);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
  });

  it.each(VERBS)('%s: an unknown option is exit 2 in the same shape', async (verb) => {
    const r = await run([...verb.split(' '), '--no-such-option'], project.dir);
    expect(r.code).toBe(2);
    expect(checkContract(r, verb).error).toMatchObject({ code: 'usage', message: "unknown option '--no-such-option'" });
  });

  it.each(VERBS.filter((v) => v in OFFLINE_SUCCESS))('%s: success ends with {"type":"result","ok":true,"command":...}', async (verb) => {
    const dir = verb === 'init' ? mkdtempSync(join(tmpdir(), 'tapctl-contract-init-')) : project.dir;
    const r = await run(OFFLINE_SUCCESS[verb](dir), dir);
    expect(r.code, r.stderr).toBe(0);
    checkContract(r, verb);
    if (verb === 'init') rmSync(dir, { recursive: true, force: true });
  });

  it('validate failing is the same shape: exit 2, the issues in error.details', async () => {
    const bad = tempProject('project: Shop!\nenvironments: {}\n');
    try {
      const r = await run(['validate'], bad.dir);
      expect(r.code).toBe(2);
      const result = checkContract(r, 'validate');
      expect(result.error.details.errors.length).toBeGreaterThan(0);
    } finally {
      bad.cleanup();
    }
  });

  it.each([
    [['--version'], 'version', { version: expect.stringMatching(/^\d+\.\d+\.\d+/) }],
    [[], 'help', { help: expect.stringContaining('Usage: tapctl') }],
    [['help', 'rollback'], 'help', { help: expect.stringContaining('Usage: tapctl rollback') }],
    // A group's subcommand: its own help, not the group's (qa3 P3 #10).
    [['help', 'env', 'create'], 'help', { help: expect.stringMatching(/Usage: tapctl env create[\s\S]*--from <env>/) }],
    [['rollback', '--help'], 'rollback', { help: expect.stringContaining('--to <release>') }],
  ])('tapctl %j --json: help and the version are one result line too', async (argv, command, fields) => {
    const r = await run(argv, project.dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(checkContract(r, command)).toMatchObject({ type: 'result', ok: true, ...fields });
    expect(r.stderr).toBe('');
  });

  it('a streaming command: events first, each with a time, then the result', async () => {
    const r = await run(['deploy', '--env', 'dev', '--dry-run'], project.dir);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.filter((l) => l.type === 'check').length).toBeGreaterThan(3);
    expect(lines.slice(0, -1).every((l) => typeof l.time === 'string')).toBe(true);
    expect(checkContract(r, 'deploy')).toMatchObject({ status: 'planned', next: expect.arrayContaining(['tapctl deploy --env dev']) });
  });
});
