/**
 * Kind 4 of [6/12], reading an image tapctl did not build: where a reference points, and its platforms read
 * from a real registry API (a local one, with the anonymous Bearer token flow public registries use).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsClients } from '../../src/aws/clients.js';
import { platformFor } from '../../src/image/platform.js';
import { inspectImage, locateImage } from '../../src/image/remote-image.js';
import { FakeRegistry } from '../helpers/fake-registry.js';

describe('locateImage: where a reference points, as Docker reads it', () => {
  it.each([
    ['nginx', { tag: '1.27' }, { registry: 'docker.io', repository: 'library/nginx', reference: '1.27' }],
    ['bitnami/redis', { tag: '7' }, { registry: 'docker.io', repository: 'bitnami/redis', reference: '7' }],
    ['ghcr.io/acme/shop', { digest: 'sha256:ab' }, { registry: 'ghcr.io', repository: 'acme/shop', reference: 'sha256:ab' }],
    ['public.ecr.aws/nginx/nginx', { tag: 'stable' }, { registry: 'public.ecr.aws', repository: 'nginx/nginx', reference: 'stable' }],
    ['localhost:5000/app', { tag: 'v1' }, { registry: 'localhost:5000', repository: 'app', reference: 'v1' }],
  ])('%s', (repository, pin, expected) => {
    expect(locateImage(repository, pin)).toMatchObject(expected);
    expect(locateImage(repository, pin).ecr).toBeUndefined();
  });

  it('an ECR host names its account and region; a digest wins over a tag', () => {
    expect(locateImage('222222222222.dkr.ecr.eu-west-1.amazonaws.com/shared/base', { tag: 'v2', digest: 'sha256:cd' })).toMatchObject({
      registry: '222222222222.dkr.ecr.eu-west-1.amazonaws.com',
      repository: 'shared/base',
      reference: 'sha256:cd',
      ecr: { account: '222222222222', region: 'eu-west-1' },
      display: '222222222222.dkr.ecr.eu-west-1.amazonaws.com/shared/base:v2@sha256:cd',
    });
  });
});

describe('inspectImage against a registry (anonymous Bearer token)', () => {
  const registry = new FakeRegistry();
  const amd64 = platformFor('x86_64');
  const arm64 = platformFor('arm64');
  const options = () => ({ clients: new AwsClients({ region: 'us-east-1' }), account: '111111111111', region: 'us-east-1' });
  beforeAll(async () => {
    await registry.start();
    registry.addIndex('acme/multi', 'v1', [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64' }]);
    registry.addIndex('acme/armlist', 'v1', [{ os: 'linux', architecture: 'arm64' }]);
    registry.addImage('acme/single', 'v1', { os: 'linux', architecture: 'aarch64' });
    registry.addImage('acme/secret', 'v1', { os: 'linux', architecture: 'amd64' }, [], { private: true });
  });
  afterAll(() => registry.stop());
  const at = (repo: string, tag = 'v1') => locateImage(`${registry.host}/${repo}`, { tag });

  it('an index with the platform: match, listing what it offers (attestations left out)', async () => {
    expect(await inspectImage(at('acme/multi'), amd64, options())).toEqual({ kind: 'match', platforms: ['linux/amd64', 'linux/arm64'], from: 'index' });
  });

  it('an index without it: mismatch', async () => {
    expect(await inspectImage(at('acme/armlist'), amd64, options())).toEqual({ kind: 'mismatch', platforms: ['linux/arm64'] });
  });

  it("a single image is judged by its config blob (aarch64 is arm64)", async () => {
    expect(await inspectImage(at('acme/single'), arm64, options())).toEqual({ kind: 'match', platforms: ['linux/arm64'], from: 'config' });
    expect(await inspectImage(at('acme/single'), amd64, options())).toEqual({ kind: 'mismatch', platforms: ['linux/arm64'] });
  });

  it('a tag the registry does not have: missing', async () => {
    expect(await inspectImage(at('acme/multi', 'nope'), amd64, options())).toMatchObject({ kind: 'missing', why: expect.stringContaining('has no manifest acme/multi:nope') });
  });

  it('a private image (no anonymous token): unreadable, saying the registry wants credentials', async () => {
    expect(await inspectImage(at('acme/secret'), amd64, options())).toMatchObject({ kind: 'unreadable', why: expect.stringMatching(/refused to show manifest acme\/secret:v1 \(HTTP 401\): it wants credentials/) });
  });

  it('a registry that cannot be reached, and ECR in another region: unreadable with the reason', async () => {
    expect(await inspectImage(locateImage('127.0.0.1:9/acme/x', { tag: 'v1' }), amd64, options())).toMatchObject({ kind: 'unreadable', why: expect.stringContaining('could not reach the registry') });
    expect(await inspectImage(locateImage('111111111111.dkr.ecr.eu-west-1.amazonaws.com/app', { tag: 'v1' }), amd64, options())).toEqual({
      kind: 'unreadable',
      why: "it is in ECR in eu-west-1, and tapctl reads ECR only in the environment's region (us-east-1)",
    });
  });
});
