import type { ConfigIssue } from '../issues.js';
import type { ResolvedEnvironment } from '../resolve.js';

/** A rule inspects one resolved environment and reports what is wrong with it. */
export type EnvironmentRule = (env: ResolvedEnvironment) => ConfigIssue[];

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
