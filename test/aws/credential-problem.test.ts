/**
 * A named profile that cannot give credentials is named with its problem (qa6): the SDK's chain says only "Could
 * not load credentials from any providers" for some, and crashes (TypeError, ENOENT) on others.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { explainCredentialFailure, profileProblem } from '../../src/aws/credential-problem.js';
import { explainAwsError } from '../../src/aws/errors.js';
import { cleanEnv, spawnTapctl } from '../helpers/cli.js';
import { sampleConfig, tempProject } from '../helpers/project.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tapctl-aws-config-'));
  vi.stubEnv('AWS_CONFIG_FILE', join(dir, 'config'));
  vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', join(dir, 'credentials'));
});
afterEach(() => {
  vi.unstubAllEnvs();
  rmSync(dir, { recursive: true, force: true });
});
const config = (text: string) => writeFileSync(join(dir, 'config'), text);

describe('profileProblem', () => {
  it.each([
    ['an sso_session no section defines', '[profile bad]\nsso_session = missing\nsso_account_id = 111111111111\nsso_role_name = Admin\n', "names sso_session 'missing', which no [sso-session missing] section defines"],
    ['an sso_session without its region', '[profile bad]\nsso_session = s\n[sso-session s]\nsso_start_url = https://example.awsapps.com/start\n', "names sso_session 's', which lacks sso_region"],
    ['a source_profile that is not defined', '[profile bad]\nrole_arn = arn:aws:iam::111111111111:role/x\nsource_profile = ghost\n', "assumes its role from source_profile 'ghost', which is not defined"],
    ['a web identity token file that is not there', '[profile bad]\nrole_arn = arn:aws:iam::111111111111:role/x\nweb_identity_token_file = /nonexistent/token\n', "reads its web identity token from '/nonexistent/token', which cannot be read (ENOENT)"],
    ['a source_profile that is itself broken', '[profile bad]\nrole_arn = arn:aws:iam::111111111111:role/x\nsource_profile = b\n[profile b]\nsso_session = nope\n', "assumes its role from source_profile 'b', which names sso_session 'nope', which no [sso-session nope] section defines"],
    ['source profiles that lead back', '[profile bad]\nrole_arn = arn:aws:iam::111111111111:role/x\nsource_profile = b\n[profile b]\nrole_arn = arn:aws:iam::111111111111:role/y\nsource_profile = bad\n', "assumes its role from source_profile 'b', which assumes its role from source_profile 'bad', which leads back to it: bad -> b -> bad"],
    ['a credential_process (its program only: the rest may hold a secret)', '[profile bad]\ncredential_process = /bin/false --token s3cr3t\n', "gets its credentials from credential_process ('/bin/false'), which gave none: run it yourself to see why"],
    ['nothing that gives credentials', '[profile bad]\nregion = us-east-1\n', 'holds no credentials: no aws_access_key_id, role_arn, sso_session or credential_process'],
  ])('%s', async (_what, text, problem) => {
    config(text);
    expect(await profileProblem('bad')).toBe(problem);
  });

  it('a profile with keys, or a well-formed SSO one, has no problem of its own', async () => {
    config('[profile ok]\naws_access_key_id = AKIA\naws_secret_access_key = x\n[profile sso]\nsso_session = s\n[sso-session s]\nsso_region = us-east-1\nsso_start_url = https://example.awsapps.com/start\n');
    expect(await profileProblem('ok')).toBeUndefined();
    expect(await profileProblem('sso')).toBeUndefined();
  });
});

describe('explainCredentialFailure', () => {
  it('a crash of the chain (TypeError) becomes a credentials failure that names the profile', async () => {
    config('[profile bad]\nsso_session = missing\nsso_account_id = 1\nsso_role_name = r\n');
    const e = await explainCredentialFailure(new TypeError("Cannot read properties of undefined (reading 'sso_region')"), 'bad');
    const explained = explainAwsError(e, 'checking your AWS identity');
    expect(explained.exitCode).toBe(2);
    expect(explained.message).toBe("no AWS credentials found while checking your AWS identity: the AWS profile 'bad' names sso_session 'missing', which no [sso-session missing] section defines");
    expect(explained.hint).toBe('fix the profile in ~/.aws/config, or use another (--profile <name>)');
    expect(explained.message).not.toMatch(/TypeError|undefined/);
  });

  it('without a profile, a crash is still a credentials failure, not an "undefined" from inside the SDK', async () => {
    const e = await explainCredentialFailure(new Error("ENOENT: no such file or directory, open '/t'"), undefined);
    expect(explainAwsError(e, 'x')).toMatchObject({ exitCode: 2, message: "no AWS credentials found while x: the AWS SDK's credential chain failed (ENOENT: no such file or directory, open '/t')" });
  });
});

describe('tapctl status with a broken profile (the built binary, its bundled credential chain)', () => {
  it('names the profile and its problem, exit 2, no stack trace', async () => {
    config('[profile bad]\nrole_arn = arn:aws:iam::111111111111:role/x\nsource_profile = ghost\n');
    const project = tempProject(sampleConfig());
    try {
      const env = cleanEnv({ AWS_CONFIG_FILE: join(dir, 'config'), AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'), AWS_PROFILE: 'bad', AWS_EC2_METADATA_DISABLED: 'true' });
      const r = await spawnTapctl(['status', '--env', 'dev'], { cwd: project.dir, env });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain("the AWS profile 'bad' assumes its role from source_profile 'ghost', which is not defined");
      expect(r.stderr).not.toMatch(/\n\s+at /);
    } finally {
      project.cleanup();
    }
  });
});

describe('the shared files themselves (qa7)', () => {
  it('a config file that is a folder is named, with where it comes from (not a raw EISDIR)', async () => {
    mkdirSync(join(dir, 'config'));
    const project = tempProject(sampleConfig());
    try {
      const env = cleanEnv({ AWS_CONFIG_FILE: join(dir, 'config'), AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'), AWS_PROFILE: 'x', AWS_EC2_METADATA_DISABLED: 'true' });
      const r = await spawnTapctl(['status', '--env', 'dev'], { cwd: project.dir, env });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(`cannot read the AWS config file '${join(dir, 'config')}' (it is a folder)`);
      expect(r.stderr).toContain('AWS_CONFIG_FILE');
    } finally {
      project.cleanup();
    }
  });

  it('a dry run with a named profile that is broken says why, instead of skipping the AWS checks as for no credentials', async () => {
    config('[profile x]\nrole_arn = arn:aws:iam::111111111111:role/x\nsource_profile = ghost\n');
    const project = tempProject(sampleConfig());
    try {
      const env = cleanEnv({ AWS_CONFIG_FILE: join(dir, 'config'), AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'), AWS_EC2_METADATA_DISABLED: 'true' });
      const r = await spawnTapctl(['deploy', '--env', 'dev', '--dry-run', '--profile', 'x'], { cwd: project.dir, env, timeoutMs: 120_000 });
      expect(r.stderr).toContain("the AWS profile 'x' assumes its role from source_profile 'ghost', which is not defined");
      expect(r.stderr).not.toContain('the AWS checks below are skipped');
    } finally {
      project.cleanup();
    }
  });
});
