/**
 * Rules on the file as the user wrote it, before anything cleans it up (RuleContext): a `${...}` placeholder
 * anywhere (failure-lessons.md #1, #3, rule N2: tapctl expands none, so it would be used, or sanitized, as it
 * stands), and a suffix the sanitizer would change (tapstack.md §1.2): `${environmentSuffix}` must not turn into
 * the valid-looking `environmentsuffix`, and `???` must not silently become `dev`.
 */
import type { ConfigIssue } from '../issues.js';
import { sanitizeSuffix } from '../naming.js';
import { finding, writtenForEnvironment, type EnvironmentRule, type RuleContext } from './rule.js';

/** Keys whose value is run by a shell inside the container, where `${VAR}` is the container's own variable. */
const SHELL_VALUES = /(^|\.)container\.healthCheckCommand$/;
const PLACEHOLDER = /\$\{[^}]*\}?|Token\[/;

function hintFor(path: string): string {
  if (/\.suffix$/.test(path)) return 'write the suffix itself, e.g. suffix: dev (the default is the environment name)';
  if (/container\.buildArgs\./.test(path)) return 'docker passes build arguments as written; a secret belongs in container.buildSecrets, which the builder reads from an environment variable or a file';
  return 'write the value itself; a value that differs per environment goes under environments.<name>';
}

/** N2: every string value (and record key) of the file containing `${` or `Token[`, reported at its own path. */
export function placeholderRules(ctx: RuleContext): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  const visit = (value: unknown, path: string[]) => {
    const dotted = path.join('.');
    if (typeof value === 'string') {
      const m = PLACEHOLDER.exec(value);
      if (m && !SHELL_VALUES.test(dotted)) {
        out.push({
          severity: 'error',
          rule: 'N2',
          path: dotted,
          ...(path[0] === 'environments' && path[1] ? { environment: path[1] } : {}),
          message: `'${m[0]}' is a placeholder, and tapctl expands none in tapctl.config.yaml: the text would be used as it stands`,
          hint: hintFor(dotted),
        });
      }
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => visit(v, [...path, String(i)]));
    } else if (typeof value === 'object' && value !== null) {
      for (const [k, v] of Object.entries(value)) {
        if (PLACEHOLDER.test(k)) {
          out.push({ severity: 'error', rule: 'N2', path: [...path, k].join('.'), message: `the key '${k}' is a placeholder, and tapctl expands none`, hint: hintFor(dotted) });
        }
        visit(v, [...path, k]);
      }
    }
  };
  visit(ctx.raw, []);
  return out;
}

/** N7: a suffix the sanitizer changes is used changed; one it empties would become `dev`, another environment's. */
export const suffixAsWrittenRules: EnvironmentRule = (env, ctx) => {
  const written = writtenForEnvironment(ctx, env, 'suffix');
  if (typeof written !== 'string' || PLACEHOLDER.test(written)) return [];
  if (!/[a-z0-9]/i.test(written)) {
    return [
      finding(env, 'suffix', 'error', 'N7', `suffix '${written}' has no letter or digit: the sanitizer would replace it with 'dev'`, {
        hint: `write a suffix of lower-case letters, digits and hyphens, e.g. suffix: ${env.name.toLowerCase()}`,
      }),
    ];
  }
  const used = sanitizeSuffix(written);
  if (used === written) return [];
  return [
    finding(env, 'suffix', 'warning', 'N7', `suffix '${written}' is used as '${used}' in every physical name (lower-case, [a-z0-9-_], at most 50 characters)`, {
      hint: `write suffix: ${used} to say what the names will be`,
    }),
  ];
};

/** Tags tapctl sets itself and relies on (deploy and status read them); a config value for them is dropped. */
const OWN_TAGS = ['Environment', 'ManagedBy'];
// https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html: keys 1-128, values 0-256 characters.
const TAG_CHARS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/** T1: `tags:` within AWS's tag limits, and no silently dropped value (Environment, ManagedBy are tapctl's). */
export const tagRules: EnvironmentRule = (env) => {
  const out: ConfigIssue[] = [];
  for (const [key, value] of Object.entries(env.tags)) {
    if (PLACEHOLDER.test(key) || PLACEHOLDER.test(value)) continue; // N2 says it
    const path = `tags.${key}`;
    const error = (message: string, hint?: string) => out.push(finding(env, path, 'error', 'T1', message, { hint }));
    if (key.length > 128) error(`tag key '${key.slice(0, 20)}…' is ${key.length} characters; AWS allows at most 128`);
    else if (/^aws:/i.test(key)) error(`tag keys starting with 'aws:' are reserved for AWS`);
    else if (!TAG_CHARS.test(key)) error(`tag key '${key}' has a character AWS refuses`, 'use letters, digits, spaces and _ . : / = + - @');
    if (value.length > 256) error(`the value of tag ${key} is ${value.length} characters; AWS allows at most 256`);
    else if (!TAG_CHARS.test(value)) error(`the value of tag ${key} has a character AWS refuses`, 'use letters, digits, spaces and _ . : / = + - @');
    // catalog-api's Project=catalog-api is its spec's mandatory tag (presets.md a.2), set after the config's.
    if (OWN_TAGS.includes(key) || (env.preset === 'catalog-api' && key === 'Project')) {
      out.push(finding(env, path, 'warning', 'T1', `tag ${key} is set by tapctl and this value is ignored`, { hint: `remove tags.${key}, or choose another key` }));
    }
  }
  return out;
};
