/**
 * A run of one command without subcommands registers only that command (cli/program.ts soleCommand), for
 * start-up speed. These tests keep that invisible: the list of such commands matches the program's, each one
 * registered alone is the same command (same help, options, arguments), and anything that is not plainly one
 * such command (help, the version, a group, an unknown word or option, `--`) registers them all.
 */
import { describe, expect, it } from 'vitest';
import { buildProgram, soleCommand, type Runner } from '../../src/cli/program.js';
import { SINGLE_COMMANDS } from '../../src/commands/index.js';

const noop: Runner = { action: () => async () => undefined };
const sink = { write: () => true } as unknown as NodeJS.WritableStream;
const io = { stdout: sink, stderr: sink, version: '0' };
const full = buildProgram(noop, io);

describe('registering only the command being run', () => {
  it('SINGLE_COMMANDS names exactly the commands without subcommands', () => {
    const singles = full.commands.filter((c) => c.commands.length === 0).map((c) => c.name());
    expect(Object.keys(SINGLE_COMMANDS).sort()).toEqual(singles.sort());
  });

  it.each(Object.keys(SINGLE_COMMANDS))('%s registered alone is the same command as among all', (name) => {
    const alone = buildProgram(noop, io, undefined, SINGLE_COMMANDS[name]);
    expect(alone.commands.map((c) => c.name())).toEqual([name]);
    const a = alone.commands[0]!;
    const b = full.commands.find((c) => c.name() === name)!;
    expect(a.helpInformation()).toBe(b.helpInformation());
    expect(a.options.map((o) => o.flags)).toEqual(b.options.map((o) => o.flags));
    expect(alone.options.map((o) => o.flags)).toEqual(full.options.map((o) => o.flags));
  });

  it.each([
    [['config', '--env', 'dev'], 'config'],
    [['--env', 'dev', 'config'], 'config'],
    [['-e', 'dev', '--json', 'synth', '--no-cache'], 'synth'],
    [['--env=dev', '--no-color', 'status'], 'status'],
    [['--dir', 'validate', 'config'], 'config'],
    [['validate'], 'validate'],
    [['push-image', '--env', 'dev'], 'push-image'],
  ])('%j registers only %s', (argv, name) => {
    expect(soleCommand(argv)).toBe(SINGLE_COMMANDS[name]);
  });

  const everyCommand: string[][] = [
    [], ['--help'], ['config', '--help'], ['config', '-h'], ['help', 'config'], ['-V'], ['config', '--version'],
    ['env', 'list'], ['secrets', 'list'], ['ci', 'init'], ['confg'], ['--bogus', 'config'], ['-ye', 'dev', 'config'],
    ['--', 'config'], ['toString'], ['--json'],
  ];
  it.each(everyCommand.map((argv) => [argv]))(
    '%j registers every command',
    (argv) => {
      expect(soleCommand(argv)).toBeUndefined();
    },
  );
});
