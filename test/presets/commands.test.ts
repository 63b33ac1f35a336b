/** The commands around a preset: `config` shows the preset's own names, deploy asks no image of a preset with no service. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTapctl } from '../helpers/cli.js';

let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tapctl-preset-cmd-'));
  const r = await runTapctl(['init', '--preset', 'rds-postgres', '--project', 'orders', '--account', '123456789012', '--email', 'ops@orders.test', '--yes', '--dir', dir], { cwd: dir });
  expect(r.code, r.stderr).toBe(0);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('rds-postgres commands', () => {
  it('config shows the preset physical names (primary, replicas, bastion), not the ecommerce ones', async () => {
    const r = await runTapctl(['config', '--env', 'prod', '--json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const names = JSON.parse(r.stdout).names;
    expect(names.primary).toBe('orders-pg-prod');
    expect(names.replicas.length).toBeGreaterThan(0);
    expect(names.bastion).toMatch(/orders/);
    expect(names.ecrRepository).toBeUndefined();
    expect(names.stack).toBe('TapStack-orders-prod');
  });

  it('deploy --dry-run skips the image check and does not tell the user to push an image', async () => {
    const r = await runTapctl(['deploy', '--env', 'dev', '--dry-run'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/image\s+the rds-postgres preset runs no container service/);
    expect(`${r.stdout}${r.stderr}`).not.toMatch(/push-image/);
  });
});

describe('catalog-api commands', () => {
  it("deploy's preflight runs the catalog spec's pre-deployment checks (presets.md a.13)", async () => {
    const { mkdtempSync: mk } = await import('node:fs');
    const cat = mk(join(tmpdir(), 'tapctl-catalog-cmd-'));
    try {
      const init = await runTapctl(['init', '--preset', 'catalog-api', '--project', 'catalog-api', '--account', '123456789012', '--email', 'ops@cat.test', '--yes', '--dir', cat], { cwd: cat });
      expect(init.code, init.stderr).toBe(0);
      const r = await runTapctl(['deploy', '--env', 'dev', '--dry-run'], { cwd: cat });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/✔ preset checks\s+presets.md a.13: no findings/);
    } finally {
      rmSync(cat, { recursive: true, force: true });
    }
  });
});
