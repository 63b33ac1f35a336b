/**
 * push-image in an emulated environment (registryEndpoint beside endpoint): the bytes go to the named registry,
 * the ECR token still logs in, the registry's manifests are registered in ECR with PutImage, and what is recorded
 * names the stack's ECR repository. The builder is faked at the spawn seam, the registry at fetch, ECR at the
 * SDK boundary (PutImage recorded, DescribeImages / BatchGetImage answered from it, as the emulated ECR does).
 * test/e2e-aws runs the same path against the real emulator and registry.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import {
  BatchGetImageCommand,
  DescribeImagesCommand,
  PutImageCommand,
  type BatchGetImageCommandInput,
  type DescribeImagesCommandInput,
  type PutImageCommandInput,
} from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AwsClients } from '../../src/aws/clients.js';
import { ExitCode } from '../../src/cli/errors.js';
import { emulatedCredentials, emulatedRepository, registerInEcr } from '../../src/image/emulated-registry.js';
import type { SpawnRequest } from '../../src/image/exec.js';
import { SSMClient } from '@aws-sdk/client-ssm';
import { cleanEnv } from '../helpers/cli.js';
import { FakeParameterStore } from '../helpers/fake-ssm.js';
import { DEV_ACCOUNT, type TempProject } from '../helpers/project.js';
import { fakeSpawn, runPushImage } from './harness.js';
import { CloudFormationClient, ECRClient, PASSWORD, REGISTRY, REPO_URI, STSClient, imageProject, mockAccount, mockStack, mockToken } from './fixtures.js';

const sts = mockClient(STSClient);
const cfn = mockClient(CloudFormationClient);
const ecr = mockClient(ECRClient);
const ssm = mockClient(SSMClient);
/** The release ledger (SSM) push-image records into. */
let ledger: FakeParameterStore;
const LEDGER = '/tapctl/shop/dev/';
const currentRelease = () => (ledger.get(`${LEDGER}current`) as { release?: Record<string, any> } | undefined)?.release;

const LOCAL = '127.0.0.1:5999';
const MEDIA_TYPE = 'application/vnd.docker.distribution.manifest.v2+json';
const CONFIG_DIGEST = `sha256:${'c'.repeat(64)}`;
// Spacing as a registry keeps it: the digest is over these exact bytes, so re-serializing would change it.
const MANIFEST = `{\n   "schemaVersion": 2,\n   "mediaType": "${MEDIA_TYPE}",\n   "config": { "mediaType": "application/vnd.docker.container.image.v1+json", "digest": "${CONFIG_DIGEST}", "size": 500 },\n   "layers": [ { "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "digest": "sha256:${'d'.repeat(64)}", "size": 120 } ]\n}`;
const DIGEST = `sha256:${createHash('sha256').update(MANIFEST).digest('hex')}`;

/** The emulated registry: manifests by tag (with the digest header a registry sends), the config blob. */
function fakeRegistry(options: { manifest?: string; announced?: string } = {}) {
  const body = options.manifest ?? MANIFEST;
  const calls: Array<{ url: string; authorization?: string; accept?: string }> = [];
  const fn = async (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input);
    const headers = (init?.headers ?? {}) as Record<string, string>;
    calls.push({ url, ...(headers.authorization ? { authorization: headers.authorization } : {}), ...(headers.accept ? { accept: headers.accept } : {}) });
    if (url.includes('/manifests/')) {
      const digest = options.announced ?? `sha256:${createHash('sha256').update(body).digest('hex')}`;
      return new Response(body, { status: 200, headers: { 'content-type': MEDIA_TYPE, 'docker-content-digest': digest } });
    }
    if (url.endsWith(`/blobs/${CONFIG_DIGEST}`)) return new Response(JSON.stringify({ architecture: 'amd64', os: 'linux' }), { status: 200 });
    return new Response('not found', { status: 404 });
  };
  return Object.assign(fn as unknown as typeof fetch, { calls });
}

/** A buildah that builds, logs in and pushes, writing `digest` as its digest file. */
function buildah(digest = DIGEST) {
  return fakeSpawn((r: SpawnRequest) => {
    if (r.command === 'git') return { code: 128 };
    if (r.args.includes('push')) writeFileSync(r.args[r.args.indexOf('--digestfile') + 1], digest);
    return {};
  });
}

/** ECR as the emulator behaves: it lists what PutImage registered, under the digest it was given. */
function emulatedEcr() {
  const puts: PutImageCommandInput[] = [];
  ecr.on(PutImageCommand).callsFake(async (input: PutImageCommandInput) => {
    puts.push(input);
    return { image: { repositoryName: input.repositoryName, imageId: { imageDigest: input.imageDigest, imageTag: input.imageTag } } };
  });
  const find = (id: { imageDigest?: string; imageTag?: string } = {}) => puts.find((p) => (id.imageDigest ? p.imageDigest === id.imageDigest : p.imageTag === id.imageTag));
  ecr.on(DescribeImagesCommand).callsFake(async (input: DescribeImagesCommandInput) => {
    const put = find(input.imageIds?.[0]);
    if (!put) throw Object.assign(new Error('image not found'), { name: 'ImageNotFoundException' });
    return { imageDetails: [{ imageDigest: put.imageDigest, imageTags: [put.imageTag!], imageSizeInBytes: 620, imagePushedAt: new Date() }] };
  });
  ecr.on(BatchGetImageCommand).callsFake(async (input: BatchGetImageCommandInput) => {
    const put = find(input.imageIds?.[0]);
    return { images: put ? [{ imageId: { imageDigest: put.imageDigest }, imageManifest: put.imageManifest, imageManifestMediaType: put.imageManifestMediaType }] : [], failures: [] };
  });
  return puts;
}

const emulated = (over: Record<string, unknown> = {}) =>
  imageProject({}, { dev: { account: DEV_ACCOUNT, region: 'us-east-1', endpoint: 'http://127.0.0.1:4566', registryEndpoint: `http://${LOCAL}`, ...over } });

let project: TempProject;
beforeEach(() => {
  for (const m of [sts, cfn, ecr, ssm]) m.reset();
  ledger = new FakeParameterStore();
  ledger.install(ssm);
  mockAccount(sts);
  mockStack(cfn);
  // The emulated ECR's token names ECR's own host, like the stack's repository URI.
  mockToken(ecr);
});
afterEach(() => project?.cleanup());

describe('push-image to an emulated registry', () => {
  it('pushes to registryEndpoint with the ECR token, registers the same manifest in ECR, and records the ECR URI', async () => {
    project = emulated();
    const puts = emulatedEcr();
    const spawn = buildah();
    const registry = fakeRegistry();
    const r = await runPushImage({ cwd: project.dir, env: cleanEnv() }, { builder: 'buildah', tag: 'v1', alsoLatest: true }, { spawn, which: () => '/usr/bin/buildah', fetch: registry, readBackRetry: { attempts: 1 } });
    expect(r.code, r.stderr).toBe(0);

    // Built, logged in and pushed at the emulated registry, over plain HTTP, the password on stdin only.
    const bud = spawn.calls.find((c) => c.args.includes('bud'))!;
    expect(bud.args).toEqual(expect.arrayContaining(['-t', `${LOCAL}/shop-app-dev:v1`, '-t', `${LOCAL}/shop-app-dev:latest`]));
    const login = spawn.calls.find((c) => c.args.includes('login'))!;
    expect(login.args.at(-1)).toBe(LOCAL);
    expect(login.args).toContain('--tls-verify=false');
    expect(login.input).toBe(PASSWORD);
    expect(spawn.calls.filter((c) => c.args.includes('push')).map((c) => c.args.at(-1))).toEqual([`docker://${LOCAL}/shop-app-dev:v1`, `docker://${LOCAL}/shop-app-dev:latest`]);

    // Each tag's manifest, read back from the registry with the ECR credentials, registered byte for byte.
    const basic = `Basic ${Buffer.from(`AWS:${PASSWORD}`).toString('base64')}`;
    const manifestReads = registry.calls.filter((c) => c.url.includes('/manifests/'));
    expect(manifestReads.map((c) => c.url)).toEqual([`http://${LOCAL}/v2/shop-app-dev/manifests/v1`, `http://${LOCAL}/v2/shop-app-dev/manifests/latest`]);
    expect(manifestReads.every((c) => c.authorization === basic && c.accept?.includes(MEDIA_TYPE))).toBe(true);
    expect(puts).toEqual([
      { repositoryName: 'shop-app-dev', imageManifest: MANIFEST, imageManifestMediaType: MEDIA_TYPE, imageDigest: DIGEST, imageTag: 'v1' },
      { repositoryName: 'shop-app-dev', imageManifest: MANIFEST, imageManifestMediaType: MEDIA_TYPE, imageDigest: DIGEST, imageTag: 'latest' },
    ]);
    // The architecture comes from the registry's config blob; digest and size from ECR.
    expect(registry.calls.some((c) => c.url === `http://${LOCAL}/v2/shop-app-dev/blobs/${CONFIG_DIGEST}`)).toBe(true);
    expect(r.result).toMatchObject({ repositoryUri: REPO_URI, digest: DIGEST, platform: 'linux/amd64', sizeBytes: 620 });
    expect(currentRelease()).toMatchObject({ image: { repository: REPO_URI, tag: 'v1', digest: DIGEST } });
    expect(r.stderr).toContain(`pushing to ${LOCAL} in place of ${REGISTRY}`);
    expect(r.stdout + r.stderr).not.toContain(PASSWORD);
  });

  it('a tag that resolves to another manifest than the builder pushed: exit 1, nothing registered or recorded', async () => {
    project = emulated();
    const puts = emulatedEcr();
    const r = await runPushImage(
      { cwd: project.dir, env: cleanEnv() },
      { builder: 'buildah', tag: 'v1' },
      { spawn: buildah(`sha256:${'e'.repeat(64)}`), which: () => '/usr/bin/buildah', fetch: fakeRegistry(), readBackRetry: { attempts: 1 } },
    );
    expect(r.code).toBe(ExitCode.Failed);
    expect(r.stderr).toContain(`${LOCAL}/shop-app-dev:v1 resolves to ${DIGEST}, but the push wrote sha256:eeee`);
    expect(puts).toEqual([]);
    expect(ledger.names(LEDGER)).toEqual([]);
  });

  it('registryEndpoint without endpoint is a config error (exit 2) before anything is built', async () => {
    project = imageProject({}, { dev: { account: DEV_ACCOUNT, region: 'us-east-1', registryEndpoint: `http://${LOCAL}` } });
    const spawn = buildah();
    const r = await runPushImage({ cwd: project.dir, env: cleanEnv() }, { builder: 'buildah', tag: 'v1' }, { spawn, which: () => '/usr/bin/buildah', fetch: fakeRegistry() });
    expect(r.code).toBe(ExitCode.Usage);
    expect(r.stderr).toContain('only applies to an emulated environment, and this one has no endpoint');
    expect(spawn.calls).toEqual([]);
  });
});

describe('registerInEcr', () => {
  const clients = () => new AwsClients({ region: 'us-east-1' });
  const credentials = emulatedCredentials({ registry: REGISTRY, endpoint: `https://${REGISTRY}`, username: 'AWS', password: PASSWORD, insecure: false }, `http://${LOCAL}/`);

  it('points the ECR token at the emulated registry: host swapped, plain HTTP marked insecure, https kept secure', () => {
    expect(credentials).toMatchObject({ registry: LOCAL, endpoint: `http://${LOCAL}`, username: 'AWS', password: PASSWORD, insecure: true });
    expect(emulatedCredentials(credentials, 'https://registry.test:5443').insecure).toBe(false);
    expect(emulatedRepository({ registry: REGISTRY, name: 'shop-app-dev', uri: REPO_URI }, `http://${LOCAL}`)).toEqual({ registry: LOCAL, name: 'shop-app-dev', uri: `${LOCAL}/shop-app-dev` });
  });

  it('a registry whose digest header disagrees with the manifest bytes is refused before ECR hears of it', async () => {
    ecr.reset();
    const puts = emulatedEcr();
    const announced = `sha256:${'a'.repeat(64)}`;
    await expect(registerInEcr(clients(), { credentials, repositoryName: 'shop-app-dev', tags: ['v1'], fetch: fakeRegistry({ announced }) })).rejects.toThrow(
      `the registry says manifest shop-app-dev:v1 is ${announced}, but its bytes hash to ${DIGEST}`,
    );
    expect(puts).toEqual([]);
  });

  it('a tag ECR already holds for this manifest is success (ImageAlreadyExistsException)', async () => {
    ecr.reset();
    ecr.on(PutImageCommand).rejects(Object.assign(new Error('Image with digest already exists'), { name: 'ImageAlreadyExistsException' }));
    await expect(registerInEcr(clients(), { credentials, repositoryName: 'shop-app-dev', tags: ['v1'], builderDigest: DIGEST, fetch: fakeRegistry() })).resolves.toBe(DIGEST);
  });
});
