/**
 * The second target group of a gradual deployment (`<project>-tg2-<suffix>`), at the documented bound: with the
 * longest project name tapctl allows (20 characters), a preview named pr-9999 of a canary environment
 * synthesizes into target group names within ELB's 32 characters, clashing with nothing of its source (N9, N10).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import type { ResolvedEnvironment } from '../../src/config/resolve.js';
import { previewEnvironment } from '../../src/preview/derive.js';
import { checkPreviewName } from '../../src/preview/name.js';
import { checkPhysicalNames, physicalNamesOf, type SynthesizedTemplate } from '../../src/synth/physical-names.js';
import { synthesize } from '../../src/synth/synthesize.js';
import { sampleConfig, tempProject } from '../helpers/project.js';

const PROJECT = 'abcdefghijklmnopqrst';

async function synthesized(env: ResolvedEnvironment): Promise<SynthesizedTemplate> {
  const synth = await synthesize(env, { outDir: join(mkdtempSync(join(tmpdir(), 'tapctl-tg2-')), 'cdk.out'), useCache: false });
  return { environment: env.name, account: env.account, region: env.region, stackName: env.names.stack, template: JSON.parse(readFileSync(synth.templatePath, 'utf8')) };
}

describe.each(['ecommerce', 'catalog-api'])('%s: a preview pr-9999 of a canary environment of a 20-character project', (preset) => {
  it('has both target groups within 32 characters, and none shared with its source', async () => {
    const config = sampleConfig({ project: PROJECT, preset });
    (config.environments as Record<string, Record<string, unknown>>).dev!.deployment = { strategy: 'canary' };
    const project = tempProject(config);
    try {
      const loaded = loadConfig(project.configPath);
      expect(loaded.errors).toEqual([]);
      const dev = loaded.environments.find((e) => e.name === 'dev')!;
      checkPreviewName('pr-9999', dev, loaded.environments);
      const preview = previewEnvironment(dev, { name: 'pr-9999', source: 'dev', branch: 'feature/x', creator: 'arn:aws:iam::111111111111:user/ci', createdAt: '2026-11-29T10:00:00.000Z', expiresAt: '2026-12-02T10:00:00.000Z' });
      const [source, built] = [await synthesized(dev), await synthesized(preview)];

      const groups = physicalNamesOf(built).filter((n) => n.spec.type === 'AWS::ElasticLoadBalancingV2::TargetGroup').map((n) => n.name);
      expect(groups).toEqual([`${PROJECT}-tg-pr-9999`, `${PROJECT}-tg2-pr-9999`]);
      expect(Math.max(...groups.map((g) => g.length))).toBe(32);
      expect(checkPhysicalNames([source, built])).toEqual([]);
    } finally {
      project.cleanup();
    }
  }, 240_000);
});
