/**
 * Kind 3 of issue [5/12]: a value is checked as the user wrote it, before a sanitizer or YAML cleans it up, and
 * the error is reported at the key the user wrote (not at a key derived from it).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { sampleConfig, tempProject, type TempProject } from '../helpers/project.js';

let project: TempProject | undefined;
afterEach(() => project?.cleanup());

function load(config: Record<string, unknown> | string) {
  project = tempProject(config);
  return loadConfig(project.configPath);
}
const dev = (settings: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  sampleConfig({ environments: { dev: { account: '111111111111', region: 'us-east-1', ...settings } }, ...extra });

describe('placeholders are checked as written (N2)', () => {
  it('the issue example: suffix "${environmentSuffix}" is an error at the suffix, not a valid-looking environmentsuffix', () => {
    const loaded = load(dev({ suffix: '${environmentSuffix}' }));
    expect(loaded.errors).toEqual([
      expect.objectContaining({
        rule: 'N2',
        path: 'environments.dev.suffix',
        message: "'${environmentSuffix}' is a placeholder, and tapctl expands none in tapctl.config.yaml: the text would be used as it stands",
        hint: expect.stringMatching(/write the suffix itself/),
      }),
    ]);
    expect(loaded.errors[0].line).toBeGreaterThan(0);
  });

  it("a shell default in a shared tag (failure-lessons.md #3) is reported at defaults.tags, where it is written", () => {
    const { errors } = load(sampleConfig({ defaults: { alarms: { email: 'ops@shop.test' }, tags: { Team: '${team:-platform}' } } }));
    expect(errors.map((e) => [e.rule, e.path])).toEqual([['N2', 'defaults.tags.Team']]);
  });

  it('a build argument that expects expansion points to build secrets', () => {
    const { errors } = load(dev({ container: { buildArgs: { NODE_VERSION: '${NODE_VERSION}' } } }));
    expect(errors).toEqual([expect.objectContaining({ rule: 'N2', path: 'environments.dev.container.buildArgs.NODE_VERSION', hint: expect.stringMatching(/container.buildSecrets/) })]);
  });

  it('a health check command is run by a shell in the container, so ${PORT} there is allowed', () => {
    const { errors } = load(dev({ container: { healthCheckCommand: 'curl -f http://localhost:${PORT}/health || exit 1' } }));
    expect(errors).toEqual([]);
  });
});

describe('the suffix as written (N7)', () => {
  it('a suffix with no letter or digit is an error, not a silent dev', () => {
    const { errors } = load(dev({ suffix: '???' }));
    expect(errors).toEqual([expect.objectContaining({ rule: 'N7', path: 'environments.dev.suffix', message: "suffix '???' has no letter or digit: the sanitizer would replace it with 'dev'" })]);
  });

  it('a suffix the sanitizer changes is a warning that says what the names get', () => {
    const { errors, warnings } = load(dev({ suffix: 'Feature/Login' }));
    expect(errors).toEqual([]);
    expect(warnings).toEqual([expect.objectContaining({ rule: 'N7', path: 'environments.dev.suffix', message: expect.stringMatching(/'Feature\/Login' is used as 'feature-login'/) })]);
  });
});

describe('an error caused by the project is reported at project', () => {
  it("a project with '--' breaks the Aurora identifier whatever the suffix: one error at project, for all environments", () => {
    const { errors } = load(sampleConfig({ project: 'ab--cd' }));
    expect(errors).toEqual([
      expect.objectContaining({
        path: 'project',
        message:
          "project 'ab--cd' makes 2 physical names invalid whatever the suffix: the ECR repository name 'ab--cd-app-<suffix>' (lower-case letters and digits separated by single . _ - or /); " +
          "the Aurora cluster identifier 'ab--cd-db-<suffix>' (a letter, then lower-case letters, digits and single hyphens, not ending with a hyphen (no underscores))",
      }),
    ]);
  });

  it('validate --env shows a project error whichever environment it names', async () => {
    project = tempProject(sampleConfig({ project: 'shop-' }));
    const { runTapctl, cleanEnv } = await import('../helpers/cli.js');
    const r = await runTapctl(['validate', '--env', 'prod'], { cwd: project.dir, env: cleanEnv() });
    expect(r.code).toBe(2);
    expect(r.stdout + r.stderr).toMatch(/project {2}project 'shop-' makes/);
  });

  it('a project ending in a hyphen: at project too, with the same rule in every preset', () => {
    for (const preset of ['ecommerce', 'catalog-api', 'rds-postgres']) {
      const { errors } = load(sampleConfig({ project: 'shop-', preset }));
      expect(errors.map((e) => e.path), preset).toEqual(['project']);
    }
  });

  it('a suffix that is too long stays at the suffix', () => {
    const { errors } = load(sampleConfig({ project: 'marketplace', environments: { dev: { account: '111111111111', region: 'us-east-1', suffix: 'feature-checkout-v2' } } }));
    expect(errors.map((e) => [e.path, e.rule])).toEqual([['environments.dev.suffix', 'N4'], ['environments.dev.suffix', 'N4']]);
    expect(errors.map((e) => e.hint)).toEqual([expect.stringMatching(/the suffix may be at most 16 characters here/), expect.stringMatching(/at most 17 characters here/)]);
  });
});

describe('YAML values as written', () => {
  it('version 14.10 read by YAML as the number 14.1 is quoted back as 14.10', () => {
    const { errors } = load('project: shop\nenvironments:\n  dev:\n    account: "111111111111"\n    region: us-east-1\n    database:\n      version: 14.10\n');
    expect(errors[0]).toMatchObject({ path: 'environments.dev.database.version', message: 'expected a string, got the number 14.10: put it in quotes ("14.10")' });
  });
});

describe('tags (T1)', () => {
  it("refuses an aws: key and a character AWS refuses, and warns that Environment is tapctl's", () => {
    const { errors, warnings } = load(dev({ tags: { 'aws:owner': 'x', Team: 'a;b', Environment: 'qa' } }));
    expect(errors.map((e) => [e.path, e.message])).toEqual([
      ['environments.dev.tags.aws:owner', "tag keys starting with 'aws:' are reserved for AWS"],
      ['environments.dev.tags.Team', 'the value of tag Team has a character AWS refuses'],
    ]);
    expect(warnings.map((w) => w.path)).toContain('environments.dev.tags.Environment');
  });
});
