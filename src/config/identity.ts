/**
 * An environment's identity: the settings that decide where it deploys (account, region, endpoint, profile,
 * stack and resource names), what its service runs (container.image) and what survives its deletion
 * (protection). Derived from the file as parsed from YAML, without the schema (zod), so that a command that
 * takes the rest of its resolved config from the cache (config/cache.ts) still takes these from the file itself,
 * for the price of a YAML parse.
 *
 * The derivation follows resolve.ts exactly (preset defaults, then `defaults:`, then the environment; the
 * kind's safe defaults last); config/cache.test.ts checks the two agree for every environment kind and preset.
 */
import { physicalNames, sanitizeSuffix, type PhysicalNames } from './naming.js';
import { PRESET_DEFAULTS } from './presets/defaults.js';
import type { EnvironmentKind, Preset } from './schema.js';

export interface EnvironmentIdentity {
  readonly project: unknown;
  readonly preset: unknown;
  readonly name: string;
  readonly kind: unknown;
  readonly suffix: unknown;
  readonly account: unknown;
  readonly region: unknown;
  readonly endpoint: unknown;
  readonly profile: unknown;
  readonly protection: { readonly deletionProtection: unknown; readonly retainData: unknown; readonly terminationProtection: unknown };
  readonly image: unknown;
  readonly names: PhysicalNames | undefined;
}

/** tapstack.md §1.3, widened to the long names people also use. */
export function kindFromName(name: string): EnvironmentKind {
  const n = name.toLowerCase();
  if (n === 'prod' || n === 'production' || n === 'prd') return 'production';
  if (n === 'dev' || n === 'development' || n === 'local') return 'development';
  return 'staging';
}

export const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Objects merge key by key; arrays and scalars from `over` replace those of `base`. */
export function deepMerge(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = deepMerge(Object.hasOwn(base, k) ? base[k] : undefined, v);
  return out;
}

const at = (v: unknown, ...path: string[]): unknown => {
  let cur = v;
  for (const k of path) cur = isPlainObject(cur) && Object.hasOwn(cur, k) ? cur[k] : undefined;
  return cur;
};

/** The names of the environments in the file, in its order (empty when the file has none). */
export function environmentNamesIn(raw: unknown): string[] {
  const envs = at(raw, 'environments');
  return isPlainObject(envs) ? Object.keys(envs) : [];
}

/** The identity of environment `name` as the file `raw` (parsed YAML, not schema-checked) defines it. */
export function identityFromFile(raw: unknown, name: string): EnvironmentIdentity {
  const env = at(raw, 'environments', name);
  const preset = (at(raw, 'preset') ?? 'ecommerce') as Preset;
  const presetDefaults = Object.hasOwn(PRESET_DEFAULTS, preset) ? PRESET_DEFAULTS[preset] : {};
  // Settings merge as in resolve.ts: the preset's, then the file's defaults, then the environment's own.
  const setting = (...path: string[]) => deepMerge(deepMerge(at(presetDefaults, ...path), at(raw, 'defaults', ...path)), at(env, ...path));
  const kind = at(env, 'kind') ?? kindFromName(name);
  const production = kind === 'production';
  const suffixRaw = at(env, 'suffix') ?? name;
  const suffix = typeof suffixRaw === 'string' ? sanitizeSuffix(suffixRaw) : suffixRaw;
  const [project, account, region] = [at(raw, 'project'), at(env, 'account'), at(env, 'region')];
  const names =
    typeof project === 'string' && typeof suffix === 'string' && typeof account === 'string' && typeof region === 'string'
      ? physicalNames({ project, suffix, account, region })
      : undefined;
  return {
    project,
    preset,
    name,
    kind,
    suffix,
    account,
    region,
    endpoint: at(env, 'endpoint'),
    profile: at(env, 'profile'),
    protection: {
      deletionProtection: setting('protection', 'deletionProtection') ?? production,
      retainData: setting('protection', 'retainData') ?? production,
      terminationProtection: setting('protection', 'terminationProtection') ?? production,
    },
    image: setting('container', 'image') ?? {},
    names,
  };
}

/** The same fields of a resolved environment (shaped as identityFromFile gives them). */
export function identityOf(env: unknown): EnvironmentIdentity {
  return {
    project: at(env, 'project'),
    preset: at(env, 'preset'),
    name: String(at(env, 'name')),
    kind: at(env, 'kind'),
    suffix: at(env, 'suffix'),
    account: at(env, 'account'),
    region: at(env, 'region'),
    endpoint: at(env, 'endpoint'),
    profile: at(env, 'profile'),
    protection: {
      deletionProtection: at(env, 'protection', 'deletionProtection'),
      retainData: at(env, 'protection', 'retainData'),
      terminationProtection: at(env, 'protection', 'terminationProtection'),
    },
    image: at(env, 'container', 'image'),
    names: at(env, 'names') as PhysicalNames | undefined,
  };
}

/** Stable text of a value (object keys sorted), so that two identities compare by content. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isPlainObject(value)) {
    return `{${Object.keys(value)
      .filter((k) => value[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

/**
 * The first field in which a resolved environment differs from what the file says, e.g. `account`, or
 * undefined when they agree.
 */
export function identityMismatch(fromFile: EnvironmentIdentity, resolved: EnvironmentIdentity): string | undefined {
  for (const key of Object.keys(fromFile) as Array<keyof EnvironmentIdentity>) {
    if (canonical(fromFile[key]) !== canonical(resolved[key])) return key;
  }
  return undefined;
}
