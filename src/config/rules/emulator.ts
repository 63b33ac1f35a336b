/**
 * Emulated environments. `registryEndpoint` swaps ECR's registry host for a local one; against real AWS that
 * would push images somewhere the service can never pull them from, so it is only valid beside `endpoint`.
 * Both are HTTP endpoints (the AWS API, a registry's v2 API): any other URL scheme (`ftp://x`) is refused here
 * instead of failing a deploy later with a network error.
 */
import type { ConfigIssue } from '../issues.js';
import { quote } from '../../cli/quote.js';
import { finding, type EnvironmentRule } from './rule.js';

export const emulatorRules: EnvironmentRule = (env) => {
  const out: ConfigIssue[] = [];
  for (const key of ['endpoint', 'registryEndpoint'] as const) {
    const value = env[key];
    if (value === undefined) continue;
    let protocol: string | undefined;
    try {
      protocol = new URL(value).protocol;
    } catch {
      protocol = undefined;
    }
    if (protocol !== 'http:' && protocol !== 'https:') {
      out.push(
        finding(env, key, 'error', 'E2', `${key} ${quote(value)} is not an http:// or https:// URL`, {
          hint: `e.g. ${key === 'endpoint' ? 'http://localhost:4566' : 'http://127.0.0.1:5001'}; remove ${key} to use AWS itself`,
        }),
      );
    }
  }
  if (env.registryEndpoint && !env.endpoint) {
    out.push(
      finding(env, 'registryEndpoint', 'error', 'E1', `registryEndpoint ${env.registryEndpoint} only applies to an emulated environment, and this one has no endpoint`, {
        hint: `add environments.${env.name}.endpoint (the emulator's AWS API), or remove registryEndpoint to push to ECR`,
      }),
    );
  }
  return out;
};
