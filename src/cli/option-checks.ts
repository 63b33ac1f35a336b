/**
 * Every option is checked before a command does anything (no synthesis, no AWS call, no prompt): a bad path,
 * number, tag, profile or region, or two options that cannot go together, is exit 2 up front, also for
 * --dry-run (`deploy --outputs-file /` used to pass a dry run and fail only after a real deploy).
 *
 * Command modules attach a check to an option (`checkOption`) and declare conflicts (`conflicting`, commander's
 * own); the runner calls `checkOptions` for the command and its parents before `run`. A check that needs a module
 * of its own imports it inside the check (`async (value) => (await import('../image/tag.js')).checkTag(...)`): it
 * then loads only when that option is given, never at start-up, which registers every command. Three checks apply to every
 * option that takes a value, of every command:
 * - a value that is itself a flag (`--env --json`) is refused, since commander would otherwise take `--json` as
 *   the environment's name and drop the flag; `-` alone is never a flag (commander does not parse it as one): it
 *   is the value "stdin" for the options marked `readsStdin`, and refused with that reason by the others;
 * - an empty value (`--to ''`) is refused as "needs a value": no option means anything by the empty string;
 * - a single-value option given twice (`--env dev --env staging`, `--to 1 --to 2`) is refused: commander keeps
 *   the last one silently, which is a guess about what the person meant. Options that collect their values
 *   (`--allow-replace`, marked with `repeatable`) may repeat.
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

/** Throws (or rejects with) a UsageError when `value` (as commander parsed it) is not acceptable for `flag`. */
export type OptionCheck = (value: unknown, flag: string, ctx: OptionCheckContext) => void | Promise<void>;

const checks = new WeakMap<Option, OptionCheck>();
/** Options that collect every value given (`--allow-replace a --allow-replace b`). */
const repeatables = new WeakSet<Option>();
/** Options whose value `-` means "read it from stdin" (`env sweep --live-branches -`). */
const stdinReaders = new WeakSet<Option>();
/** Every value given on the command line, per option, in order (recorded while commander parses). */
const given = new WeakMap<Option, string[]>();

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

/** `flag` of `cmd` takes several values, each occurrence adding one (its parser collects them). */
export function repeatable(cmd: Command, flag: string): Command {
  repeatables.add(optionOf(cmd, flag));
  return cmd;
}

/** `flag` of `cmd` takes `-` as its value: read from stdin (its help should say so). */
export function readsStdin(cmd: Command, flag: string): Command {
  stdinReaders.add(optionOf(cmd, flag));
  return cmd;
}

/**
 * Records every value each option of `program` and its commands (and theirs) is given, as commander parses them (its
 * `option:<name>` events), so that `checkOptions` can refuse a repeated single-value option. Called once per
 * program, after every command is registered.
 */
export function recordGivenValues(program: Command): void {
  // Every level: the subcommands of a command group (`env create --from`, `secrets set --env`) too.
  const all = (cmd: Command): Command[] => [cmd, ...cmd.commands.flatMap(all)];
  for (const cmd of all(program)) {
    for (const option of cmd.options) {
      if (!(option.required || option.optional)) continue;
      cmd.on(`option:${option.name()}`, (value: unknown) => {
        given.set(option, [...(given.get(option) ?? []), typeof value === 'string' ? value : String(value ?? '')]);
      });
    }
  }
}

/**
 * Whether an option may be given more than once: marked `repeatable`, variadic, or with a parser of its own that
 * is not commander's `.choices()` check (commander's documented way to collect repeated values).
 */
function isRepeatable(option: Option): boolean {
  return repeatables.has(option) || option.variadic || (option.parseArg !== undefined && option.argChoices === undefined);
}

/** Runs every check of `cmd` and its parents on the values given on the command line, one after the other. */
export async function checkOptions(cmd: Command, base: Omit<OptionCheckContext, 'options'>): Promise<void> {
  const ctx = { ...base, options: cmd.optsWithGlobals() };
  for (let c: Command | null = cmd; c; c = c.parent) {
    for (const option of c.options) {
      if (c.getOptionValueSource(option.attributeName()) !== 'cli') continue;
      const value = c.getOptionValue(option.attributeName());
      const flag = option.long ?? option.short ?? option.flags;
      if (option.required || option.optional) {
        refuseRepeated(flag, option);
        refuseFlagAsValue(flag, value, stdinReaders.has(option));
        refuseEmptyValue(flag, value);
      }
      await checks.get(option)?.(value, flag, ctx);
    }
  }
}

/** A single-value option given twice: which one was meant is not for tapctl to guess. */
function refuseRepeated(flag: string, option: Option): void {
  const values = given.get(option) ?? [];
  if (values.length < 2 || isRepeatable(option)) return;
  throw new UsageError(`${flag} was given ${values.length} times (${values.map((v) => quote(v, 40)).join(', then ')}); it takes one value`, {
    hint: `give ${flag} once, with the value you mean; nothing was run`,
  });
}

/** `--to ''`: no option of tapctl means anything by an empty (or blank) value. */
function refuseEmptyValue(flag: string, value: unknown): void {
  for (const v of Array.isArray(value) ? value : [value]) {
    if (typeof v !== 'string' || v.trim() !== '') continue;
    throw new UsageError(`${flag} needs a value, got ${v === '' ? 'an empty one' : `only blanks (${quote(v)})`}`, {
      hint: `put the value right after ${flag}; nothing was run`,
    });
  }
}

/**
 * A value that starts with '-' was a flag (a negative number is left to the option's own range check). `-` alone is
 * stdin for an option that reads it, and a value no other option understands.
 */
function refuseFlagAsValue(flag: string, value: unknown, readsStdin: boolean): void {
  for (const v of Array.isArray(value) ? value : [value]) {
    if (typeof v !== 'string' || !v.startsWith('-') || /^-\d/.test(v)) continue;
    if (v === '-') {
      if (readsStdin) continue;
      throw new UsageError(`${flag} does not read from stdin: '-' is not a value it takes`, { hint: `give ${flag} its value (a path that is '-' can be written ./-); nothing was run` });
    }
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
  checkCanMake(dirname(path), flag, value);
};

/**
 * A folder tapctl makes (or writes into): it exists as a folder, or its nearest existing parent is a folder
 * tapctl can write in. `/dev/null/x` (under a device) is refused here as a usage error naming the path, instead
 * of failing later with an error from the file system.
 */
export function checkCanMake(folder: string, flag: string, value: unknown): void {
  let existing = folder;
  while (!existsSync(existing)) existing = dirname(existing);
  if (!statSync(existing).isDirectory()) {
    const what = statSync(existing).isFile() ? 'a file' : 'a device or special file';
    throw new UsageError(`${flag} ${quote(value)}: ${existing} is ${what}, not a folder`, { hint: 'give a path inside a folder' });
  }
  try {
    accessSync(existing, constants.W_OK);
  } catch {
    throw new UsageError(`${flag} ${quote(value)}: cannot write in ${existing} (permission denied)`, { hint: 'give a path in a folder you can write to' });
  }
}

/** A whole or decimal number in [min, max], written in plain digits; `true` (an optional value left out) passes. */
export function numberIn(min: number, max: number, unit: string): OptionCheck {
  return (value, flag) => {
    if (value === true || value === undefined) return;
    const n = typeof value === 'string' && /^\d+(\.\d+)?$/.test(value) ? Number(value) : NaN;
    if (!(n >= min && n <= max)) throw new UsageError(`${flag} takes ${unit} from ${min} to ${max}, not ${quote(value)}`, { hint: `e.g. ${flag} ${Math.min(max, Math.max(min, 10))}` });
  };
}

/**
 * THE parser of whole-number values (options and answers): plain decimal digits only, so `1e3`, `0x10`, ` 3`,
 * `2.5` and `+4` are refused rather than read as something the person did not write. Undefined when `raw` is not
 * a whole number in [min, max].
 */
export function parseWholeNumber(raw: string, min: number, max: number): number | undefined {
  if (!/^\d{1,15}$/.test(raw)) return undefined;
  const n = Number(raw);
  return n >= min && n <= max ? n : undefined;
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
