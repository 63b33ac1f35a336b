/** Fixture projects written into temp folders (style.md pattern 10). */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

export const DEV_ACCOUNT = '111111111111';
export const PROD_ACCOUNT = '222222222222';

/** A valid three-environment config; `overrides` deep-merge nothing: pass whole sections you want to replace. */
export function sampleConfig(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    project: 'shop',
    preset: 'ecommerce',
    defaults: { alarms: { email: 'ops@shop.test' } },
    environments: {
      dev: { account: DEV_ACCOUNT, region: 'us-east-1', network: { natGateways: 1 } },
      staging: { account: DEV_ACCOUNT, region: 'us-west-2' },
      prod: { account: PROD_ACCOUNT, region: 'us-east-1' },
    },
    ...overrides,
  };
}

export interface TempProject {
  readonly dir: string;
  readonly configPath: string;
  cleanup(): void;
}

/** A project folder holding `config` (an object, written as YAML, or raw YAML text). */
export function tempProject(config: Record<string, unknown> | string = sampleConfig()): TempProject {
  const dir = mkdtempSync(join(tmpdir(), 'tapctl-test-'));
  const configPath = join(dir, 'tapctl.config.yaml');
  writeFileSync(configPath, typeof config === 'string' ? config : stringify(config));
  return { dir, configPath, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
