/**
 * The documented bound, proven on real templates: with the longest project name tapctl allows (20 characters),
 * a preview named pr-9999 synthesizes, for every preset, into names within every AWS limit and clashing with
 * nothing of its source environment (src/synth/physical-names.ts, rules N9-N11, the CDK-generated names
 * included); and its record is on the stack's tags, not in the template.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import type { ResolvedEnvironment } from '../../src/config/resolve.js';
import { readStackArtifact } from '../../src/deploy/assembly.js';
import { previewEnvironment } from '../../src/preview/derive.js';
import { checkPreviewName } from '../../src/preview/name.js';
import { checkPhysicalNames, type SynthesizedTemplate } from '../../src/synth/physical-names.js';
import { synthesize } from '../../src/synth/synthesize.js';
import { sampleConfig, tempProject } from '../helpers/project.js';

const PROJECT = 'abcdefghijklmnopqrst';

async function synthesized(env: ResolvedEnvironment) {
  const synth = await synthesize(env, { outDir: join(mkdtempSync(join(tmpdir(), 'tapctl-preview-')), 'cdk.out'), useCache: false });
  const template: SynthesizedTemplate = { environment: env.name, account: env.account, region: env.region, stackName: env.names.stack, template: JSON.parse(readFileSync(synth.templatePath, 'utf8')) };
  return { synth, template };
}

describe.each(['ecommerce', 'catalog-api', 'rds-postgres'])('%s: a preview pr-9999 of a 20-character project', (preset) => {
  it('has every physical name within its AWS limit and none shared with its source', async () => {
    const project = tempProject(sampleConfig({ project: PROJECT, preset }));
    try {
      const loaded = loadConfig(project.configPath);
      expect(loaded.errors).toEqual([]);
      const dev = loaded.environments.find((e) => e.name === 'dev')!;
      checkPreviewName('pr-9999', dev, loaded.environments);
      const preview = previewEnvironment(dev, { name: 'pr-9999', source: 'dev', branch: 'feature/x', creator: 'arn:aws:iam::111111111111:user/ci', createdAt: '2026-11-29T10:00:00.000Z', expiresAt: '2026-12-02T10:00:00.000Z' });
      const [source, built] = [await synthesized(dev), await synthesized(preview)];

      expect(checkPhysicalNames([source.template, built.template])).toEqual([]);
      // The checker can fail: the same pair with the preview's names made the source's is caught (N9).
      const clash = { ...built.template, stackName: source.template.stackName, template: source.template.template, environment: 'pr-9999' };
      expect(checkPhysicalNames([source.template, clash]).some((f) => f.rule === 'N9')).toBe(true);

      // The record is on the stack (the tags toolkit-lib deploys with), not on every resource.
      const artifact = readStackArtifact(built.synth);
      expect(artifact.tags).toMatchObject({ 'tapctl:preview': 'pr-9999', 'tapctl:project': PROJECT, 'tapctl:source': 'dev', 'tapctl:expires': '2026-12-02T10:00:00.000Z' });
      expect(JSON.stringify(built.template.template)).not.toContain('tapctl:expires');
      expect(readStackArtifact(source.synth).tags['tapctl:preview']).toBeUndefined();
      // Nothing the preview creates survives its deletion.
      const kept = Object.entries(built.template.template.Resources ?? {}).filter(([, r]) => ['Retain', 'RetainExceptOnCreate', 'Snapshot'].includes((r as { DeletionPolicy?: string }).DeletionPolicy ?? ''));
      expect(kept.map(([id]) => id)).toEqual([]);
    } finally {
      project.cleanup();
    }
  }, 240_000);
});
