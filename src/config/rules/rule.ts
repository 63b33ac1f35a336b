import type { ConfigIssue } from '../issues.js';
import type { ResolvedEnvironment } from '../resolve.js';

/**
 * What the user wrote: the file as parsed from YAML, before schema defaults, sanitizers and merges. Rules check
 * a value here when resolution would change it (a suffix is sanitized; a default fills a key nobody wrote), and
 * use it to report an error at the key the user wrote rather than at one derived from it.
 */
export interface RuleContext {
  readonly raw: Readonly<Record<string, unknown>>;
}

/** A rule inspects one resolved environment and reports what is wrong with it. */
export type EnvironmentRule = (env: ResolvedEnvironment, ctx: RuleContext) => ConfigIssue[];

export const EMPTY_CONTEXT: RuleContext = { raw: {} };

export interface FindingOptions {
  readonly hint?: string;
}

/** An issue about a setting of one environment; the loader moves it to `defaults.` if that is where it is set. */
export function finding(
  env: ResolvedEnvironment,
  settingPath: string,
  severity: ConfigIssue['severity'],
  rule: string,
  message: string,
  options: FindingOptions = {},
): ConfigIssue {
  return {
    severity,
    rule,
    path: `environments.${env.name}${settingPath ? `.${settingPath}` : ''}`,
    message,
    hint: options.hint,
    environment: env.name,
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The value at a dotted path of the raw file, or undefined when the user did not write it. */
export function rawAt(ctx: RuleContext, path: string): unknown {
  let v: unknown = ctx.raw;
  for (const k of path.split('.')) v = isObject(v) ? v[k] : undefined;
  return v;
}

/** What the user wrote for an environment-only key (suffix, region ...), or undefined. */
export function writtenForEnvironment(ctx: RuleContext, env: ResolvedEnvironment, key: string): unknown {
  const envs = isObject(ctx.raw.environments) ? ctx.raw.environments : {};
  const entry = envs[env.name];
  return isObject(entry) ? entry[key] : undefined;
}

/** True when the user wrote a setting for this environment, under the environment or under `defaults:`. */
export function wrote(ctx: RuleContext, env: ResolvedEnvironment, settingPath: string): boolean {
  return rawAt(ctx, `environments.${env.name}.${settingPath}`) !== undefined || rawAt(ctx, `defaults.${settingPath}`) !== undefined;
}
