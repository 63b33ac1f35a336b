/**
 * One detector for secrets in the config, shared by the loader (a secret-looking unknown key is refused, never
 * echoed) and the rules (a build argument or any value shaped like a credential). A secret in
 * tapctl.config.yaml is in git, in `tapctl config` output, in `.tapctl/` caches and, for build arguments, on the
 * builder's command line and in the image history; it belongs in Secrets Manager or a build secret.
 */

/** Names that say they hold a secret: NPM_TOKEN, dbPassword, api-key, AWS_SECRET_ACCESS_KEY, privateKey ... */
const SECRET_NAME = /pass(word|wd|phrase)|(^|[^a-z])pass$|secret(?!s?_?arn)|token|api[-_]?key|auth[-_]?key|credential|private[-_]?key|access[-_]?key/i;

/** Well-known credential formats, with what each is (for a message that never shows the value). */
const SECRET_VALUES: ReadonlyArray<readonly [string, RegExp]> = [
  ['an npm token', /\bnpm_[A-Za-z0-9]{36}\b/],
  ['a GitHub token', /\b(gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})\b/],
  ['a GitLab token', /\bglpat-[A-Za-z0-9_-]{20,}/],
  ['an AWS access key ID', /\b(AKIA|ASIA)[A-Z0-9]{16}\b/],
  ['a Slack token', /\bxox[abposr]-[A-Za-z0-9-]{10,}/],
  ['a Stripe key', /\b[sr]k_(live|test)_[A-Za-z0-9]{16,}/],
  ['a Google API key', /\bAIza[0-9A-Za-z_-]{35}\b/],
  ['an API key', /\bsk-(ant-|proj-)?[A-Za-z0-9_-]{20,}/],
  ['a private key', /-----BEGIN [A-Z ]*PRIVATE KEY-----/],
  ['a JSON web token', /\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/],
  ['a URL with a password', /\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i],
];

export function looksLikeSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** What kind of credential `value` looks like ("an npm token"), or undefined. */
export function secretValueKind(value: string): string | undefined {
  return SECRET_VALUES.find(([, pattern]) => pattern.test(value))?.[0];
}
