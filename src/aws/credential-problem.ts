/**
 * Why the SDK's credential chain gave no credentials, in words a person can act on.
 *
 * The chain names nothing when a named profile cannot give credentials ("Could not load credentials from any
 * providers" for a failing credential_process or a source_profile that is not defined), and crashes on some
 * profiles (a TypeError for an sso_session that no section defines, ENOENT for a missing web identity token
 * file). The profile's settings, read from the shared config files as the SDK reads them, say which it is. The
 * settings: https://docs.aws.amazon.com/sdkref/latest/guide/settings-reference.html
 */
import { readFileSync } from 'node:fs';
import { loadSharedConfigFiles, loadSsoSessionData } from '@smithy/shared-ini-file-loader';
import { quote } from '../cli/quote.js';

/** A failure of the chain, as explainAwsError reads it: a CredentialsProviderError with a message and a hint. */
export interface CredentialFailure extends Error {
  readonly name: 'CredentialsProviderError';
  readonly hint?: string;
}

/**
 * `e`, the chain's failure, said better when `profile` (the one in use: --profile, the environment's, or
 * AWS_PROFILE) shows why; a crash of the chain becomes a CredentialsProviderError. Never throws.
 */
export async function explainCredentialFailure(e: unknown, profile: string | undefined): Promise<unknown> {
  const problem = profile ? await profileProblem(profile).catch(() => undefined) : undefined;
  if (problem) {
    return failure(`the AWS profile ${quote(profile)} ${problem}`, e, `fix the profile in ~/.aws/config, or use another (--profile <name>)`);
  }
  if ((e as Error)?.name === 'CredentialsProviderError') return e;
  // A crash inside the chain (not one of its answers): its message, as what it is.
  return failure(`the AWS SDK's credential chain failed (${(e as Error)?.message ?? String(e)})`, e);
}

function failure(message: string, cause: unknown, hint?: string): CredentialFailure {
  return Object.assign(new Error(message, { cause }), { name: 'CredentialsProviderError' as const, ...(hint ? { hint } : {}) });
}

/** What in `profile`'s settings keeps it from giving credentials ("names sso_session 'x', which ..."), if anything. */
export async function profileProblem(profile: string): Promise<string | undefined> {
  const files = await loadSharedConfigFiles({ ignoreCache: true });
  return problemOf(profile, files, await loadSsoSessionData(), [profile]);
}

type Sections = Record<string, Record<string, string | undefined> | undefined>;

/** `seen`: the profiles followed so far through source_profile, the first being the one in use. */
function problemOf(profile: string, files: { configFile: Sections; credentialsFile: Sections }, sessions: Sections, seen: string[]): string | undefined {
  const { configFile, credentialsFile } = files;
  const settings: Record<string, string | undefined> = { ...configFile[profile], ...credentialsFile[profile] };
  const defined = (name: string) => Boolean(configFile[name] ?? credentialsFile[name]);
  if (settings.aws_access_key_id) return undefined;
  if (settings.sso_session) {
    const session = sessions[settings.sso_session];
    if (!session) return `names sso_session ${quote(settings.sso_session)}, which no [sso-session ${settings.sso_session}] section defines`;
    if (!session.sso_region || !session.sso_start_url) return `names sso_session ${quote(settings.sso_session)}, which lacks ${session.sso_region ? 'sso_start_url' : 'sso_region'}`;
    return undefined;
  }
  if (settings.role_arn && settings.source_profile) {
    const source = settings.source_profile;
    if (!defined(source)) return `assumes its role from source_profile ${quote(source)}, which is not defined`;
    if (seen.includes(source)) return `assumes its role from source_profile ${quote(source)}, which leads back to it: ${[...seen, source].join(' -> ')}`;
    const problem = problemOf(source, files, sessions, [...seen, source]);
    return problem ? `assumes its role from source_profile ${quote(source)}, which ${problem}` : undefined;
  }
  if (settings.role_arn && settings.web_identity_token_file) {
    try {
      readFileSync(settings.web_identity_token_file);
    } catch (e) {
      return `reads its web identity token from ${quote(settings.web_identity_token_file)}, which cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`;
    }
    return undefined;
  }
  if (settings.credential_process) {
    // The program only: the rest of the command line may hold a secret.
    const program = settings.credential_process.trim().split(/\s+/)[0] ?? '';
    return `gets its credentials from credential_process (${quote(program)}), which gave none: run it yourself to see why`;
  }
  if (!settings.role_arn && !settings.sso_start_url && !settings.credential_source) {
    return 'holds no credentials: no aws_access_key_id, role_arn, sso_session or credential_process';
  }
  return undefined;
}
