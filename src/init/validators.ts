/**
 * One parser per init answer, shared by flags and prompts so that both reject the same input with the same words.
 * The patterns come from the config schema itself: init can never accept a value that `tapctl validate` refuses.
 */
import { parseWholeNumber, regionProblem } from '../cli/option-checks.js';
import { quote } from '../cli/quote.js';
import { isReservedKey, reservedKeyMessage } from '../config/keys.js';
import { suggest } from '../config/load.js';
import { checkNames, physicalNames, sanitizeSuffix } from '../config/naming.js';
import { kindFromName } from '../config/resolve.js';
import {
  AlarmsSchema,
  ConfigFileSchema,
  ContainerSchema,
  DB_ENGINES,
  EnvironmentSchema,
  PRESETS,
  type DbEngine,
  type EnvironmentKind,
  type Preset,
} from '../config/schema.js';

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = (error: string): Parsed<never> => ({ ok: false, error });

export const ARCHITECTURES = ['x86_64', 'arm64'] as const;
export type Architecture = (typeof ARCHITECTURES)[number];

export interface EnvironmentName {
  readonly name: string;
  readonly kind: EnvironmentKind;
}

/** The schema's own check, with a message written for a flag or a prompt rather than for a YAML file. */
function bySchema(schema: { safeParse(v: unknown): { success: boolean } }, raw: string, error: string): Parsed<string> {
  return schema.safeParse(raw).success ? ok(raw) : bad(error);
}

function oneOf<T extends string>(raw: string, options: readonly T[], what: string): Parsed<T> {
  if ((options as readonly string[]).includes(raw)) return ok(raw as T);
  const s = suggest(raw, options);
  return bad(`${quote(raw)} is not ${what}: choose ${options.join(', ')}${s ? ` (did you mean ${s}?)` : ''}`);
}

export function parseProject(raw: string): Parsed<string> {
  return bySchema(ConfigFileSchema.shape.project, raw, `${quote(raw)} is not a valid project name: use 2-20 lower-case letters, digits and hyphens, starting with a letter`);
}

export const parsePreset = (raw: string): Parsed<Preset> => oneOf(raw, PRESETS, 'a preset');
export const parseEngine = (raw: string): Parsed<DbEngine> => oneOf(raw, DB_ENGINES, 'a database engine');
export const parseArchitecture = (raw: string): Parsed<Architecture> => oneOf(raw, ARCHITECTURES, 'a CPU architecture');

/** 12 digits; the console's way of writing them (1234-5678-9012, or with spaces) is accepted too. */
export function parseAccount(raw: string): Parsed<string> {
  const digits = /^\d{4}([- ]?)\d{4}\1\d{4}$/.test(raw) ? raw.replace(/[- ]/g, '') : raw;
  return bySchema(EnvironmentSchema.shape.account, digits, `${quote(raw)} is not an AWS account ID: expected 12 digits, e.g. 123456789012 or 1234-5678-9012`);
}

/** A region name, and for a near miss of a known region the suggestion tapctl validate gives (rule V5). */
export function parseRegion(raw: string): Parsed<string> {
  const problem = regionProblem(raw);
  return problem ? bad(problem) : ok(raw);
}

/**
 * `production` is true when any environment is production: there, validate refuses example.com addresses (rule
 * O1), so init refuses them at the question instead of writing a config that fails.
 */
export function parseEmail(raw: string, production = false): Parsed<string> {
  const checked = bySchema(AlarmsSchema.shape.email, raw, `${quote(raw)} is not an email address`);
  if (checked.ok && production && /@example\.(com|org|net)$/i.test(raw)) {
    return bad(`alerts to ${raw} reach nobody, and production environments refuse example addresses: give a monitored address`);
  }
  return checked;
}

export function parsePort(raw: string): Parsed<number> {
  const port = parseWholeNumber(raw, 1, 65535);
  return port !== undefined && ContainerSchema.shape.port.safeParse(port).success ? ok(port) : bad(`${quote(raw)} is not a port: expected a whole number from 1 to 65535`);
}

const ENV_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,49}$/;

/**
 * A comma-separated list of environment names. With `project`, also checks that every AWS name built from the
 * project and the environment fits its limit, so a long pair is refused here rather than by validate later.
 */
export function parseEnvironments(raw: string, project?: string): Parsed<EnvironmentName[]> {
  const names = raw.split(',').map((n) => n.trim()).filter((n) => n !== '');
  if (names.length === 0) return bad('give at least one environment name, e.g. dev,staging,prod');
  const bySuffix = new Map<string, string>();
  for (const name of names) {
    if (isReservedKey(name)) return bad(reservedKeyMessage(name));
    if (!ENV_NAME.test(name)) return bad(`${quote(name)} is not an environment name: start with a letter, then letters, digits, - or _ (at most 50)`);
    // Two names with one suffix (Dev and dev) would deploy the same stack and fight over every resource.
    const suffix = sanitizeSuffix(name);
    const twin = bySuffix.get(suffix);
    if (twin !== undefined) return bad(twin === name ? `${quote(name)} is listed twice` : `${quote(twin)} and ${quote(name)} would share every resource name`);
    bySuffix.set(suffix, name);
    if (project !== undefined) {
      // Only the account's length matters to the names, so any 12 digits will do.
      const problem = checkNames(physicalNames({ project, suffix, account: '000000000000', region: 'us-east-1' }))[0];
      if (problem) return bad(`environment ${quote(name)} of project ${quote(project)} makes a name AWS refuses: ${problem.message}`);
    }
  }
  return ok(names.map((name) => ({ name, kind: kindFromName(name) })));
}

/** The default project name: the folder's name made valid (lower-case, a-z0-9-, a letter first, 2-20 characters). */
export function projectNameFromFolder(folder: string): string {
  const name = folder
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^[^a-z]+/, '')
    .slice(0, 20)
    .replace(/-+$/, '');
  return parseProject(name).ok ? name : 'shop';
}
