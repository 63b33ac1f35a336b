/** container.secrets and container.exec in the config: the schema's name form, rules K1 and K2. */
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { sampleConfig, tempProject, type TempProject } from '../helpers/project.js';

let project: TempProject | undefined;
afterEach(() => project?.cleanup());

function issues(envName: 'dev' | 'prod', container: Record<string, unknown>) {
  const account = envName === 'dev' ? '111111111111' : '222222222222';
  project = tempProject(sampleConfig({ environments: { [envName]: { account, region: 'us-east-1', container } } }));
  const loaded = loadConfig(project.configPath);
  return [...loaded.errors, ...loaded.warnings].map((i) => ({ rule: i.rule, severity: i.severity, path: i.path, message: i.message }));
}

describe('container.secrets and container.exec', () => {
  it('are off by default, and valid names load', () => {
    project = tempProject(sampleConfig());
    const env = loadConfig(project.configPath).environments[0];
    expect(env.container.secrets).toEqual([]);
    expect(env.container.exec).toBe(false);
    expect(issues('dev', { secrets: ['STRIPE_KEY', 'SMTP_PASSWORD_2'] })).toEqual([]);
  });

  it.each(['stripe_key', 'STRIPE-KEY', '1KEY', '', 'A'.repeat(129)])('%j is not a secret name (schema)', (name) => {
    expect(issues('dev', { secrets: [name] })).toContainEqual(expect.objectContaining({ severity: 'error', path: 'environments.dev.container.secrets.0' }));
  });

  it.each([
    [['STRIPE_KEY', 'STRIPE_KEY'], 'container.secrets.1', /listed twice/],
    [['DB_SECRET'], 'container.secrets.0', /would replace the DB_SECRET the container already gets/],
    [['AWS_SECRET_ACCESS_KEY'], 'container.secrets.0', /starts with AWS_/],
  ])('K1: %j', (secrets, path, message) => {
    const found = issues('dev', { secrets });
    expect(found).toContainEqual(expect.objectContaining({ rule: 'K1', severity: 'error', path: `environments.dev.${path}`, message: expect.stringMatching(message) }));
  });

  it('K2: exec in production is a warning, elsewhere nothing', () => {
    expect(issues('prod', { exec: true })).toContainEqual(expect.objectContaining({ rule: 'K2', severity: 'warning', path: 'environments.prod.container.exec' }));
    expect(issues('dev', { exec: true }).filter((i) => i.rule === 'K2')).toEqual([]);
  });
});
