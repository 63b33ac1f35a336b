/**
 * Every option is checked before a command does anything (no synthesis, no AWS call, no prompt): a bad path,
 * number, tag, profile or region, or two options that cannot go together, is exit 2 up front, also for
 * --dry-run (`deploy --outputs-file /` used to pass a dry run and fail only after a real deploy).
 *
 * Command modules attach a check to an option (`checkOption`) and declare conflicts (`conflicting`, commander's
 * own); the runner calls `checkOptions` for the command and its parents before `run`. One check applies to every
 * option that takes a value: a value that is itself a flag (`--env --json`) is refused, since commander would
 * otherwise take `--json` as the environment's name and drop the flag.
 */
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command, Option } from 'commander';
import { UsageError } from './errors.js';
import { quote } from './quote.js';
import { knownProfiles } from '../aws/profiles.js';
import { isKnownRegion, KNOWN_REGIONS } from '../config/regions.js';
import { suggest } from '../config/suggest.js';

export interface OptionCheckContext {
  /** Relative paths are relative to this folder. */
  readonly cwd: string;
  /** Every option of the command, as commander parsed them (for checks that depend on another option). */
  readonly options: Readonly<Record<string, unknown>>;
}

/** Throws a UsageError when `value` (as commander parsed it) is not acceptable for `flag`. */
export type OptionCheck = (value: unknown, flag: string, ctx: OptionCheckContext) => void;

const checks = new WeakMap<Option, OptionCheck>();

function optionOf(cmd: Command, flag: string): Option {
  const option = cmd.options.find((o) => o.long === flag || o.short === flag);
  if (!option) throw new Error(`internal: ${cmd.name()} has no option ${flag}`);
  return option;
}

/** Attaches `check` to the option `flag` of `cmd`. */
export function checkOption(cmd: Command, flag: string, check: OptionCheck): Command {
  checks.set(optionOf(cmd, flag), check);
  return cmd;
}

/** `flag` cannot be given together with any of `others` (commander reports it: exit 2 before the action). */
export function conflicting(cmd: Command, flag: string, others: readonly string[]): Command {
  optionOf(cmd, flag).conflicts(others.map((o) => optionOf(cmd, o).attributeName()));
  return cmd;
}

/** Runs every check of `cmd` and its parents on the values given on the command line. */
export function checkOptions(cmd: Command, base: Omit<OptionCheckContext, 'options'>): void {
  const ctx = { ...base, options: cmd.optsWithGlobals() };
  for (let c: Command | null = cmd; c; c = c.parent) {
    for (const option of c.options) {
      if (c.getOptionValueSource(option.attributeName()) !== 'cli') continue;
      const value = c.getOptionValue(option.attributeName());
      const flag = option.long ?? option.short ?? option.flags;
      if (option.required || option.optional) refuseFlagAsValue(flag, value);
      checks.get(option)?.(value, flag, ctx);
    }
  }
}

/** A value that starts with '-' was a flag (a negative number is left to the option's own range check). */
function refuseFlagAsValue(flag: string, value: unknown): void {
  for (const v of Array.isArray(value) ? value : [value]) {
    if (typeof v !== 'string' || !v.startsWith('-') || /^-\d/.test(v)) continue;
    throw new UsageError(`${flag} needs a value, got the flag ${quote(v)}`, {
      hint: `${quote(v)} is a flag, taken as the value of ${flag}: put the value right after ${flag} (a path that starts with '-' can be written ./${v}); nothing was run`,
    });
  }
}

// The checks command modules attach.

/** The option only means something together with `other` (its attribute name and its flag). */
export function requires(attribute: string, other: string): OptionCheck {
  return (_value, flag, { options }) => {
    if (!options[attribute]) throw new UsageError(`${flag} only applies with ${other}`, { hint: `add ${other}, or leave ${flag} out` });
  };
}

/** A file tapctl writes: not a folder or a special file, in a folder that exists or can be made, writable. */
export const writableFile: OptionCheck = (value, flag, { cwd }) => {
  const path = resolve(cwd, String(value));
  if (existsSync(path)) {
    const stat = statSync(path);
    if (stat.isDirectory()) throw new UsageError(`${flag} ${quote(value)} is a folder; give the path of a file to write`, { hint: `e.g. ${flag} outputs.json` });
    if (!stat.isFile()) throw new UsageError(`${flag} ${quote(value)} is not a regular file`, { hint: 'give the path of a plain file to write' });
  }
  let folder = dirname(path);
  while (!existsSync(folder)) folder = dirname(folder);
  if (!statSync(folder).isDirectory()) throw new UsageError(`${flag} ${quote(value)}: ${folder} is a file, not a folder`, { hint: 'give a path inside a folder' });
  try {
    accessSync(folder, constants.W_OK);
  } catch {
    throw new UsageError(`${flag} ${quote(value)}: cannot write in ${folder} (permission denied)`, { hint: 'give a path in a folder you can write to' });
  }
};

/** A whole or decimal number in [min, max]; `true` (an optional value left out) passes. */
export function numberIn(min: number, max: number, unit: string): OptionCheck {
  return (value, flag) => {
    if (value === true || value === undefined) return;
    const n = typeof value === 'string' && /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : NaN;
    if (!(n >= min && n <= max)) throw new UsageError(`${flag} takes ${unit} from ${min} to ${max}, not ${quote(value)}`, { hint: `e.g. ${flag} ${Math.min(max, Math.max(min, 10))}` });
  };
}

/** An AWS profile that exists in the shared config or credentials file (as the SDK would read them). */
export const awsProfile: OptionCheck = (value, flag) => {
  const profile = String(value);
  const known = knownProfiles();
  if (known.includes(profile)) return;
  const near = suggest(profile, known);
  throw new UsageError(`there is no AWS profile ${quote(profile)}${near ? `; did you mean '${near}'?` : ''}`, {
    hint: known.length ? `profiles in ~/.aws/config and ~/.aws/credentials: ${known.join(', ')}` : `no AWS profiles are configured on this machine: aws configure sso, or drop ${flag}`,
  });
};

/** The region pattern, and for a near miss of a known region the suggestion tapctl validate gives (V5). */
export function regionProblem(region: string): string | undefined {
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) return `${quote(region)} is not an AWS region: expected a name such as us-east-1 or eu-west-2`;
  if (isKnownRegion(region)) return undefined;
  const near = suggest(region, KNOWN_REGIONS);
  return near ? `${quote(region)} is not an AWS region; did you mean '${near}'?` : undefined;
}

export const awsRegion: OptionCheck = (value, flag) => {
  const problem = regionProblem(String(value));
  if (problem) throw new UsageError(`${flag}: ${problem}`, { hint: 'regions are named like us-east-1, eu-west-2, ap-southeast-1' });
};
