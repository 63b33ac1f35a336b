/**
 * Kind 4 of [6/12] through deploy: an image pinned in the config (container.image), which tapctl did not build,
 * is read where it lives (its own registry, or the stack's ECR repository) and checked for existence and for the
 * task's platform before anything changes.
 */
import { writeFileSync } from 'node:fs';
import { BatchGetImageCommand, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { stringify } from 'yaml';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeRegistry, sha256 } from '../helpers/fake-registry.js';
import { sampleConfig } from '../helpers/project.js';
import { FakeAws } from './fake-aws.js';
import { aimFake, synthesizedProject, tapctl, type Fixture } from './setup.js';

const registry = new FakeRegistry();
let f: Fixture;
let fake: FakeAws;

/** Rewrites the project's config with container.image pinned (the deploy synthesizes it again). */
function pin(image: { repository?: string; tag?: string; digest?: string }, architecture = 'x86_64'): void {
  writeFileSync(f.project.configPath, stringify(sampleConfig({ defaults: { alarms: { email: 'ops@shop.test' }, container: { architecture, image } } })));
}

beforeAll(async () => {
  await registry.start();
  registry.addIndex('acme/multi', 'v1', [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64' }]);
  registry.addIndex('acme/armonly', 'v1', [{ os: 'linux', architecture: 'arm64' }]);
  registry.addImage('acme/private', 'v1', { os: 'linux', architecture: 'amd64' }, [], { private: true });
  f = await synthesizedProject();
});
afterAll(async () => {
  await registry.stop();
  f.project.cleanup();
});
beforeEach(() => {
  fake = new FakeAws();
  aimFake(fake, f);
  fake.deployedAsIs();
});
afterEach(() => fake.restore());

describe('an image pinned outside the stack (any registry the machine reaches)', () => {
  it('built for another architecture than the task: refused (exit 3) before any change set', async () => {
    pin({ repository: `${registry.host}/acme/armonly`, tag: 'v1' });
    const r = await tapctl(f, ['deploy', '--env', 'dev', '--yes']);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toContain(`image ${registry.host}/acme/armonly:v1 is built for linux/arm64, but the task of 'dev' runs linux/amd64 (container.architecture: x86_64): every task would fail to start`);
    expect(r.stderr).toMatch(/hint: pin an image built for linux\/amd64 \(docker buildx build --platform linux\/amd64\), or set container.architecture/);
    expect(fake.calls('CreateChangeSet')).toBe(0);
  });

  it('the same image with container.architecture arm64, and a multi-platform one: pass', async () => {
    pin({ repository: `${registry.host}/acme/armonly`, tag: 'v1' }, 'arm64');
    const arm = await tapctl(f, ['deploy', '--env', 'dev', '--dry-run']);
    expect(arm.stderr).toContain(`✔ image platform  ${registry.host}/acme/armonly:v1 runs on linux/arm64 (its index lists linux/arm64)`);
    pin({ repository: `${registry.host}/acme/multi`, tag: 'v1' });
    const multi = await tapctl(f, ['deploy', '--env', 'dev', '--dry-run']);
    expect(multi.stderr).toContain(`✔ image platform  ${registry.host}/acme/multi:v1 runs on linux/amd64 (its index lists linux/amd64, linux/arm64)`);
  });

  it('a tag that does not exist: exit 1 naming container.image', async () => {
    pin({ repository: `${registry.host}/acme/multi`, tag: 'v9' });
    const r = await tapctl(f, ['deploy', '--env', 'dev', '--yes']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`image ${registry.host.replace(/\./g, '\\.')}/acme/multi:v9, pinned in container.image, does not exist`));
    expect(fake.calls('CreateChangeSet')).toBe(0);
  });

  it('a manifest that cannot be read (a private image): a warning that says why, never a silent pass', async () => {
    pin({ repository: `${registry.host}/acme/private`, tag: 'v1' });
    const r = await tapctl(f, ['deploy', '--env', 'dev', '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/! image platform {2}the manifest of .*acme\/private:v1 could not be read \(the registry refused to show manifest acme\/private:v1 \(HTTP 401\): it wants credentials tapctl does not have\): whether it exists and runs on linux\/amd64 is not checked/);
  });
});

describe("an image pinned in the stack's own ECR repository", () => {
  it('read with BatchGetImage: an arm64-only index for an x86_64 task is refused (exit 3)', async () => {
    pin({ tag: 'base-arm' });
    fake.images = ['base-arm'];
    const index = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [{ digest: 'sha256:aa', platform: { os: 'linux', architecture: 'arm64' } }] };
    fake.ecr.on(BatchGetImageCommand).resolves({ images: [{ imageManifest: JSON.stringify(index), imageManifestMediaType: index.mediaType }] });
    const r = await tapctl(f, ['deploy', '--env', 'dev', '--yes']);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/image 111111111111\.dkr\.ecr\.us-east-1\.amazonaws\.com\/shop-app-dev:base-arm(@sha256:[0-9a-f]{64})? is built for linux\/arm64, but the task of 'dev' runs linux\/amd64/);
    // The tag pin is deployed by the digest ECR holds for it, and read by that digest.
    expect(fake.ecr.commandCalls(BatchGetImageCommand)[0].args[0].input).toMatchObject({ repositoryName: 'shop-app-dev', imageIds: [{ imageDigest: `sha256:${'0'.repeat(64)}` }] });
  });

  it("a single manifest: its config blob is read with ECR's token and matches", async () => {
    // The registry stands in for ECR's host: the token's proxyEndpoint points at it.
    const digest = registry.addImage('shop-app-dev', 'v3', { os: 'linux', architecture: 'amd64' });
    const manifest = registry.repositories.get('shop-app-dev')!.manifests.get(digest)!;
    pin({ digest });
    fake.images = [digest];
    fake.ecr.on(BatchGetImageCommand).resolves({ images: [{ imageManifest: manifest.body, imageManifestMediaType: manifest.mediaType }] });
    fake.ecr.on(GetAuthorizationTokenCommand).resolves({ authorizationData: [{ authorizationToken: Buffer.from('AWS:pw').toString('base64'), proxyEndpoint: `http://${registry.host}` }] });
    const r = await tapctl(f, ['deploy', '--env', 'dev', '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`✔ image platform  111111111111.dkr.ecr.us-east-1.amazonaws.com/shop-app-dev@${digest} runs on linux/amd64 (its image config)`);
    expect(registry.requests).toContain(`/v2/shop-app-dev/blobs/${JSON.parse(manifest.body).config.digest}`);
    expect(sha256(manifest.body)).toBe(digest);
  });
});
