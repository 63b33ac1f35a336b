/** The pure decisions: which release a rollback replaces and targets, an image in a template, the zero-task guard. */
import { describe, expect, it } from 'vitest';
import { changesBeyondImage, scaleToZeroFindings } from '../../src/deploy/running-service-guard.js';
import type { Release } from '../../src/release/release.js';
import { defaultTarget, findRelease, liveReleases, replacedRelease } from '../../src/release/rollback-target.js';
import { splitReference, templateImage } from '../../src/release/template-image.js';
import { releaseRecord } from '../helpers/fake-ssm.js';

const rel = (id: number, over: Record<string, unknown> = {}) => releaseRecord(id, over) as unknown as Release;
const newestFirst = (...r: Release[]) => [...r].sort((a, b) => Number(b.id) - Number(a.id));

describe('rollback targets', () => {
  it('by default: the newest earlier release deployed healthy with another image, never a failed or rolled-back one', () => {
    const live = newestFirst(rel(40), rel(41, { outcome: 'failed' }), rel(42, { outcome: 'rolled-back' }), rel(43), rel(44, { outcome: 'pushed' }));
    const replaced = replacedRelease(live, { digest: rel(43).image.digest });
    expect(replaced?.id).toBe('000043');
    expect(defaultTarget(live, replaced!)?.id).toBe('000040');
  });

  it('a rollback record runs an older image: rolling back again skips the releases with that image', () => {
    const image41 = rel(41).image;
    const live = newestFirst(rel(40), rel(41), rel(42, { outcome: 'rolled-back' }), rel(43, { source: 'rollback', from: '000041', rollbackOf: '000042', image: image41 }));
    const replaced = replacedRelease(live, { digest: image41.digest });
    expect(replaced?.id).toBe('000043');
    expect(defaultTarget(live, replaced!)?.id).toBe('000040');
  });

  it('the replaced release is the one whose image the stack runs, even when it was deployed with --no-wait', () => {
    const live = newestFirst(rel(40), rel(41), rel(42, { outcome: 'pushed' }));
    expect(replacedRelease(live, { digest: rel(42).image.digest })?.id).toBe('000042');
    expect(replacedRelease(live, undefined)?.id).toBe('000041');
  });

  it('releases from before a destroy do not count', () => {
    const all = newestFirst(rel(1), rel(2), rel(3));
    const ended = { v: 1 as const, at: rel(2).at, by: 'x', stack: 's' };
    expect(liveReleases(all, ended).map((r) => r.id)).toEqual(['000003']);
    expect(liveReleases(all, undefined)).toHaveLength(3);
  });

  it('--to names a release by id, tag, digest or a unique digest prefix', () => {
    const all = newestFirst(rel(7), rel(8), rel(18));
    expect(findRelease(all, '7').id).toBe('000007');
    expect(findRelease(all, '000008').id).toBe('000008');
    expect(findRelease(all, 'v18').id).toBe('000018');
    // 8 and 18 share the digest 888...: a prefix names the newest of the releases with that image.
    expect(findRelease(all, `sha256:${'8'.repeat(64)}`).id).toBe('000018');
    expect(findRelease(all, '777777777777').id).toBe('000007');
    expect(() => findRelease(all, 'nope')).toThrow(/no release in the ledger has that id, tag or digest/);
  });
});

describe('the image a template runs', () => {
  const td = (image: unknown) => ({ Resources: { TaskDef: { Type: 'AWS::ECS::TaskDefinition', Properties: { ContainerDefinitions: [{ Name: 'app', Image: image }] } } } });
  const own = (suffix: string) => ({ 'Fn::Join': ['', ['111.dkr.ecr.us-east-1.', { Ref: 'AWS::URLSuffix' }, '/', { Ref: 'Repo' }, suffix]] });

  it('reads the own repository by tag or digest, other registries as a string, and the placeholder', () => {
    expect(templateImage(td(own(':v7')))).toEqual({ kind: 'image', tag: 'v7', taskDefinition: 'TaskDef' });
    expect(templateImage(td(own(`@sha256:${'a'.repeat(64)}`)))).toEqual({ kind: 'image', digest: `sha256:${'a'.repeat(64)}`, taskDefinition: 'TaskDef' });
    expect(templateImage(td('ghcr.io/acme/shop:v9'))).toEqual({ kind: 'image', repository: 'ghcr.io/acme/shop', tag: 'v9', taskDefinition: 'TaskDef' });
    expect(templateImage(td(own(':tapctl-bootstrap-placeholder')))).toEqual({ kind: 'placeholder', taskDefinition: 'TaskDef' });
    expect(templateImage(td({ 'Fn::Sub': 'x' }))).toEqual({ kind: 'unknown', taskDefinition: 'TaskDef' });
    expect(templateImage({ Resources: {} })).toBeUndefined();
    expect(splitReference('127.0.0.1:5000/shop@sha256:ab')).toEqual({ repository: '127.0.0.1:5000/shop', digest: 'sha256:ab' });
  });
});

describe('the running-service guard', () => {
  const stack = (desired: number | undefined, min: number, image: unknown) => ({
    Resources: {
      Svc: { Type: 'AWS::ECS::Service', Properties: { ...(desired === undefined ? {} : { DesiredCount: desired }) } },
      Target: { Type: 'AWS::ApplicationAutoScaling::ScalableTarget', Properties: { MinCapacity: min, MaxCapacity: 10 } },
      TaskDef: { Type: 'AWS::ECS::TaskDefinition', Properties: { ContainerDefinitions: [{ Name: 'app', Image: image }] } },
    },
  });
  const PLACEHOLDER = 'repo:tapctl-bootstrap-placeholder';

  it('flags DesiredCount to 0, MinCapacity to 0 and the placeholder swap, each on its own', () => {
    expect(scaleToZeroFindings(stack(undefined, 2, 'repo:v7'), stack(0, 0, PLACEHOLDER)).map((f) => f.change)).toEqual([
      'DesiredCount unset (auto-scaling) -> 0',
      'MinCapacity 2 -> 0',
      'image repo:v7 -> the bootstrap placeholder',
    ]);
    expect(scaleToZeroFindings(stack(3, 2, 'repo:v7'), stack(0, 2, 'repo:v7')).map((f) => f.change)).toEqual(['DesiredCount 3 -> 0']);
    expect(scaleToZeroFindings(stack(undefined, 2, 'repo:v7'), stack(undefined, 0, 'repo:v8')).map((f) => f.change)).toEqual(['MinCapacity 2 -> 0']);
  });

  it('leaves alone a service that never ran and one that keeps running', () => {
    expect(scaleToZeroFindings(stack(0, 0, PLACEHOLDER), stack(0, 0, PLACEHOLDER))).toEqual([]);
    expect(scaleToZeroFindings(stack(undefined, 2, 'repo:v7'), stack(undefined, 2, 'repo:v8'))).toEqual([]);
    expect(scaleToZeroFindings(stack(0, 0, PLACEHOLDER), stack(undefined, 2, 'repo:v8'))).toEqual([]);
  });

  it('sees when a template changes more than the image', () => {
    expect(changesBeyondImage(stack(undefined, 2, 'repo:v7'), stack(undefined, 2, 'repo:v8'))).toEqual([]);
    expect(changesBeyondImage(stack(undefined, 2, 'repo:v7'), stack(undefined, 3, 'repo:v8'))).toEqual(['Target']);
    expect(changesBeyondImage({ ...stack(undefined, 2, 'a'), Outputs: { X: 1 } }, stack(undefined, 2, 'b'))).toEqual(['(template sections other than Resources)']);
  });
});
