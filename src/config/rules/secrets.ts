/**
 * Secrets through the wrong door (rule B1 and the loader's `secrets` rule), with the shared detector of
 * ../secrets.ts. A build argument is shown by `tapctl config`, kept in `.tapctl/config-cache.json`, passed on the
 * builder's command line (visible in `ps`) and stored in the image history; a build secret is read by the builder
 * from an environment variable or a file and is none of those.
 */
import type { ConfigIssue } from '../issues.js';
import { looksLikeSecretName, secretValueKind } from '../secrets.js';
import { finding, type EnvironmentRule, type RuleContext } from './rule.js';

const PLACEHOLDER = /\$\{/;

/** B1: a build argument whose name or value looks like a secret. The value is never repeated in the message. */
export const buildArgRules: EnvironmentRule = (env) => {
  const out: ConfigIssue[] = [];
  for (const [name, value] of Object.entries(env.container.buildArgs)) {
    if (PLACEHOLDER.test(value)) continue; // N2 says it, with the same advice
    const kind = secretValueKind(value);
    if (!kind && !looksLikeSecretName(name)) continue;
    out.push(
      finding(env, `container.buildArgs.${name}`, 'error', 'B1', `build argument ${name} ${kind ? `holds what looks like ${kind}` : 'is named like a secret'}: build arguments are shown by tapctl config, cached in .tapctl/, passed on the builder's command line and kept in the image history`, {
        hint: `move it to container.buildSecrets: { ${name}: { env: ${name} } } (or { file: <path> }), export ${name} before push-image, and read it in the Dockerfile with RUN --mount=type=secret,id=${name}`,
      }),
    );
  }
  return out;
};

/** `secrets`: any other value of the file shaped like a credential, at its own path, never echoed. */
export function secretValueRules(ctx: RuleContext): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  const visit = (value: unknown, path: string[]) => {
    if (typeof value === 'string') {
      const kind = secretValueKind(value);
      if (kind && !path.includes('buildArgs')) {
        out.push({
          severity: 'error',
          rule: 'secrets',
          path: path.join('.'),
          ...(path[0] === 'environments' && path[1] ? { environment: path[1] } : {}),
          message: `this value looks like ${kind}; secrets never go in tapctl.config.yaml (it is in git, in tapctl config output and in .tapctl/ caches)`,
          hint: 'an app secret goes in Secrets Manager (tapctl secrets set, then container.secrets names it); the database password is generated there; a build-time secret goes in container.buildSecrets',
        });
      }
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => visit(v, [...path, String(i)]));
    } else if (typeof value === 'object' && value !== null) {
      for (const [k, v] of Object.entries(value)) visit(v, [...path, k]);
    }
  };
  visit(ctx.raw, []);
  return out;
}
