/** The pure decisions: which release a rollback replaces and targets, an image in a template, the zero-task guard. */
import { describe, expect, it } from 'vitest';
import { changesBeyondImage, scaleToZeroFindings } from '../../src/deploy/running-service-guard.js';
import type { Release } from '../../src/release/release.js';
import { defaultTarget, findRelease, liveReleases, replacedRelease } from '../../src/release/rollback-target.js';
import { splitReference, templateImage } from '../../src/release/template-image.js';
import { releaseRecord } from '../helpers/fake-ssm.js';

const rel = (id: number, over: Record<string, unknown> = {}) => releaseRecord(id, over) as unknown as Release;
/** Deployed, and ECS was seen running it to completion. */
const healthy = (id: number, over: Record<string, unknown> = {}) => rel(id, { rollout: 'healthy', ...over });
const newestFirst = (...r: Release[]) => [...r].sort((a, b) => Number(b.id) - Number(a.id));

describe('rollback targets', () => {
  it('by default: the newest earlier release that ran healthy with another image, never a failed or rolled-back one', () => {
    const live = newestFirst(healthy(40), rel(41, { outcome: 'failed' }), rel(42, { outcome: 'rolled-back', rollout: 'healthy' }), rel(43), rel(44, { outcome: 'pushed' }));
    const replaced = replacedRelease(live, { digest: rel(43).image.digest });
    expect(replaced?.id).toBe('000043');
    expect(defaultTarget(live, replaced!)?.id).toBe('000040');
  });

  it('a release CloudFormation deployed but nobody saw ECS run is no default target', () => {
    const live = newestFirst(rel(40), rel(41, { outcome: 'started' }), rel(42));
    expect(defaultTarget(live, rel(42))).toBeUndefined();
    expect(defaultTarget(newestFirst(healthy(39), ...live), rel(42))?.id).toBe('000039');
  });

  it('a rollback record runs an older image: rolling back again skips the releases with that image', () => {
    const image41 = rel(41).image;
    const live = newestFirst(healthy(40), healthy(41), rel(42, { outcome: 'rolled-back' }), rel(43, { source: 'rollback', from: '000041', rollbackOf: '000042', image: image41 }));
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

  it('the running release is matched by digest; by tag only when what runs names no digest, and never when that tag names two images', () => {
    const v5a = rel(5, { image: { repository: 'r', tag: 'v5', digest: `sha256:${'a'.repeat(64)}` } });
    const v5b = rel(6, { image: { repository: 'r', tag: 'v5', digest: `sha256:${'b'.repeat(64)}` } });
    const live = newestFirst(v5a, v5b);
    expect(replacedRelease(live, { digest: `sha256:${'a'.repeat(64)}` })?.id).toBe('000005');
    expect(replacedRelease(live, { tag: 'v5' })).toBeUndefined();
    expect(replacedRelease(newestFirst(v5a), { tag: 'v5' })?.id).toBe('000005');
    // What runs is an image no release has: the ledger does not know it (not "the newest deployed").
    expect(replacedRelease(live, { digest: `sha256:${'c'.repeat(64)}` })).toBeUndefined();
  });

  it('--to that names releases of different images is refused, offering the exact forms', () => {
    const tagOne = rel(5, { image: { repository: 'r', tag: '1', digest: `sha256:${'5'.repeat(64)}` } });
    const all = newestFirst(rel(1), tagOne);
    expect(() => findRelease(all, '1')).toThrow(/--to '1' names releases of 2 different images: 000001 \(by id: v1@sha256:111111111111\), 000005 \(by tag '1': 1@sha256:555555555555\)/);
    try {
      findRelease(all, '1');
    } catch (e) {
      expect((e as { hint?: string }).hint).toBe('say which one exactly: --to id:1, --to tag:1');
      expect((e as { exitCode?: number }).exitCode).toBe(2);
    }
    expect(findRelease(all, 'id:1').id).toBe('000001');
    expect(findRelease(all, 'tag:1').id).toBe('000005');
    // A tag that is another release's digest prefix.
    const hexTag = rel(9, { image: { repository: 'r', tag: '111111111111', digest: `sha256:${'9'.repeat(64)}` } });
    expect(() => findRelease(newestFirst(rel(1), hexTag), '111111111111')).toThrow(/names releases of 2 different images/);
    expect(findRelease(newestFirst(rel(1), hexTag), 'sha256:111111111111').id).toBe('000001');
    expect(findRelease(newestFirst(rel(1), hexTag), 'digest:111111111111').id).toBe('000001');
    expect(() => findRelease(all, 'id:x')).toThrow(/a release id is a number/);
    expect(() => findRelease(all, 'nope:1')).toThrow(/'nope' is not a way to name a release/);
  });

  it('a long --to is echoed cut to size and without raw newlines', () => {
    const long = `${'x'.repeat(100_000)}\nsecond line`;
    expect(() => findRelease([rel(1)], long)).toThrow(/--to 'x{80}…' \(100,012 characters\): no release/);
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
