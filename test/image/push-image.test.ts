/**
 * push-image as a command: the order of checks, exit codes, secrets kept out of argv and output, the read-back,
 * the record for deploy, --scan and --deploy. Builders are faked at the spawn seam; AWS at the SDK boundary.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BatchGetImageCommand,
  DescribeImageScanFindingsCommand,
  DescribeImagesCommand,
  GetAuthorizationTokenCommand,
} from '@aws-sdk/client-ecr';
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, ECSClient, ListTasksCommand } from '@aws-sdk/client-ecs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ExitCode } from '../../src/cli/errors.js';
import type { PushImageDeps } from '../../src/image/push-flow.js';
import type { SpawnRequest } from '../../src/image/exec.js';
import { cleanEnv } from '../helpers/cli.js';
import { FakeParameterStore, releaseRecord, seedLedger } from '../helpers/fake-ssm.js';
import { PROD_ACCOUNT, type TempProject } from '../helpers/project.js';
import { fakeSpawn, runPushImage } from './harness.js';
import { CloudFormationClient, ECRClient, PASSWORD, REPO_URI, STSClient, imageProject, mockAccount, mockStack, mockToken } from './fixtures.js';

const sts = mockClient(STSClient);
const cfn = mockClient(CloudFormationClient);
const ecr = mockClient(ECRClient);
const ecs = mockClient(ECSClient);
const ssm = mockClient(SSMClient);
/** The release ledger (SSM) push-image records into. */
let ledger: FakeParameterStore;
const LEDGER = '/tapctl/shop/dev/';
const currentRelease = () => (ledger.get(`${LEDGER}current`) as { release?: Record<string, any> } | undefined)?.release;

const DIGEST = `sha256:${'1'.repeat(64)}`;
const CONFIG_DIGEST = `sha256:${'c'.repeat(64)}`;
const SECRET = 'npm_s3cr3t_T0KEN_value';

const manifest = (config = CONFIG_DIGEST) =>
  JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: config, size: 500 },
    layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', digest: `sha256:${'d'.repeat(64)}`, size: 120 }],
  });

/** A fake registry blob endpoint: the config blob says linux/<arch>; answers through an S3-style redirect. */
function fakeFetch(arch = 'amd64') {
  const calls: Array<{ url: string; authorization?: string }> = [];
  const fn = vi.fn(async (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input);
    const authorization = (init?.headers as Record<string, string> | undefined)?.authorization;
    calls.push({ url, ...(authorization ? { authorization } : {}) });
    if (url.includes('/v2/')) return new Response(null, { status: 307, headers: { location: 'https://s3.example/blob?sig=1' } });
    return new Response(JSON.stringify({ architecture: arch, os: 'linux', config: {} }), { status: 200 });
  });
  return Object.assign(fn as unknown as typeof fetch, { calls });
}

/** A buildah that succeeds, echoes what a careless Dockerfile might print, and writes the digest file. */
function buildahSpawn(options: { failBuild?: boolean } = {}) {
  return fakeSpawn((r: SpawnRequest) => {
    if (r.command === 'git') return { code: 128 };
    if (r.args.includes('bud')) {
      if (options.failBuild) return { code: 1, lines: ['STEP 1/3: FROM node:22', 'STEP 2/3: RUN npm ci', `npm ERR! 401 Unauthorized token ${SECRET}`, 'error building at STEP "RUN npm ci": exit status 1'] };
      return { lines: ['STEP 1/2: FROM scratch', `STEP 2/2: RUN echo ${SECRET}`, 'COMMIT', 'Successfully tagged'] };
    }
    if (r.args.includes('push')) {
      const file = r.args[r.args.indexOf('--digestfile') + 1];
      writeFileSync(file, DIGEST);
      return { lines: ['Copying blob', 'Writing manifest to image destination'] };
    }
    return {};
  });
}

let project: TempProject;

function deps(over: Partial<PushImageDeps> = {}): Partial<PushImageDeps> {
  return {
    spawn: buildahSpawn(),
    which: (name) => (name === 'buildah' ? '/usr/bin/buildah' : undefined),
    dockerEngineAnswers: async () => false,
    fetch: fakeFetch(),
    readBackRetry: { attempts: 2, delayMs: 0 },
    ...over,
  };
}

const harness = (over: { envName?: string; env?: NodeJS.ProcessEnv; tty?: boolean; json?: boolean; yes?: boolean; signal?: AbortSignal } = {}) => ({
  ...(over.signal ? { signal: over.signal } : {}),
  cwd: project.dir,
  env: over.env ?? cleanEnv({ NPM_TOKEN: SECRET }),
  envName: over.envName ?? 'dev',
  ...(over.tty ? { tty: true } : {}),
  ...(over.yes === false ? { yes: false } : {}),
  ...(over.json ? { json: true } : {}),
});

/**
 * ECR before and after the push: the first DescribeImages asks whether the tag is in use before anything is built
 * (it is not), the next ones read the pushed image back (`pushed`).
 */
function tagFree(pushed: Record<string, unknown> = { imageDigest: DIGEST, imageSizeInBytes: 31_457_280, imagePushedAt: new Date('2026-11-20T10:00:00Z'), imageTags: ['v1'] }): void {
  let asked = false;
  ecr.on(DescribeImagesCommand).callsFake(() => {
    if (asked) return { imageDetails: [pushed] };
    asked = true;
    throw Object.assign(new Error("The image with imageId {imageTag:'v1'} does not exist"), { name: 'ImageNotFoundException' });
  });
}

beforeEach(() => {
  for (const m of [sts, cfn, ecr, ecs, ssm]) m.reset();
  ledger = new FakeParameterStore();
  ledger.install(ssm);
  project = imageProject({ buildSecrets: { npm: 'NPM_TOKEN' }, buildArgs: { NODE_ENV: 'production' } });
  mockAccount(sts);
  mockStack(cfn);
  mockToken(ecr);
  tagFree();
  ecr.on(BatchGetImageCommand).resolves({ images: [{ imageId: { imageDigest: DIGEST }, imageManifest: manifest(), imageManifestMediaType: 'application/vnd.docker.distribution.manifest.v2+json' }] });
});
afterEach(() => project.cleanup());

describe('push-image: before anything is built', () => {
  it('no stack: exit 1 saying to deploy first, nothing built', async () => {
    cfn.reset();
    mockStack(cfn, null);
    const spawn = buildahSpawn();
    const r = await runPushImage(harness(), { tag: 'v1' }, deps({ spawn }));
    expect(r.code, r.stderr + r.stdout).toBe(ExitCode.Failed);
    expect(r.stderr).toContain('TapStack-shop-dev is not deployed');
    expect(r.stderr).toContain('deploy first');
    expect(r.stderr).toContain('tapctl deploy --env dev');
    expect(spawn.calls.filter((c) => c.args.includes('bud'))).toEqual([]);
  });

  it('--dry-run before the first deploy: exit 0 with the plan for the repository the stack will create', async () => {
    cfn.reset();
    mockStack(cfn, null);
    const spawn = buildahSpawn();
    const r = await runPushImage(harness(), { tag: 'v1', dryRun: true }, deps({ spawn }));
    expect(r.code, r.stderr).toBe(0);
    expect(r.result).toMatchObject({ dryRun: true, repositoryUri: '111111111111.dkr.ecr.us-east-1.amazonaws.com/shop-app-dev' });
    expect(r.stderr).toMatch(/is not deployed yet/);
    expect(spawn.calls.filter((c) => c.args.includes('bud'))).toEqual([]);
  });

  it("env create's check before it creates the stack: a stack not deployed yet is expected there, not a warning (qa3 P3 #1)", async () => {
    cfn.reset();
    mockStack(cfn, null);
    const r = await runPushImage(harness(), { tag: 'v1', dryRun: true, beforeStack: true }, deps({ spawn: buildahSpawn() }));
    expect(r.code, r.stderr).toBe(0);
    expect(r.result).toMatchObject({ dryRun: true });
    expect(r.stderr).not.toMatch(/is not deployed yet|showing the plan/);
  });

  it('--dry-run without credentials: exit 0, and says what it could not check', async () => {
    const err = Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
    sts.reset();
    sts.rejects(err);
    const r = await runPushImage(harness(), { tag: 'v1', dryRun: true }, deps());
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/no AWS credentials, so the account and stack were not checked/);
  });

  it('credentials for another account: exit 3 before the stack is even read', async () => {
    sts.reset();
    mockAccount(sts, PROD_ACCOUNT);
    const r = await runPushImage(harness(), { tag: 'v1' }, deps());
    expect(r.code).toBe(ExitCode.Refused);
    expect(cfn.calls()).toHaveLength(0);
  });

  it('--hotswap on production: exit 3 with no AWS call', async () => {
    const r = await runPushImage(harness({ envName: 'prod' }), { tag: 'v1', deploy: true, hotswap: true }, deps());
    expect(r.code).toBe(ExitCode.Refused);
    expect(r.stderr).toContain("refusing to hotswap 'prod'");
    expect(sts.calls()).toHaveLength(0);
  });

  it('--hotswap without --deploy: usage error', async () => {
    expect((await runPushImage(harness(), { tag: 'v1', hotswap: true }, deps())).code).toBe(ExitCode.Usage);
  });

  it('no git and no --tag: tags by the content digest of the build context, and says so', async () => {
    const r = await runPushImage(harness(), { dryRun: true }, deps());
    expect(r.code, r.stderr).toBe(0);
    expect(r.result?.tag).toMatch(/^ctx-[0-9a-f]{12}$/);
    expect(r.stderr).toMatch(/no git commit to tag the image with .*: tagging it by the content digest of its build context, ctx-[0-9a-f]{12}/);
    // The same files, the same tag.
    tagFree();
    const again = await runPushImage(harness(), { dryRun: true }, deps());
    expect(again.result?.tag).toBe(r.result?.tag);
  });

  it('no builder installed: exit 2 naming every builder', async () => {
    const r = await runPushImage(harness(), { tag: 'v1' }, deps({ which: () => undefined }));
    expect(r.code).toBe(ExitCode.Usage);
    expect(r.stderr).toMatch(/docker, podman, buildah, finch/);
    expect(sts.calls()).toHaveLength(0);
  });

  it('a build secret whose variable is not set: exit 2, naming the variable', async () => {
    const r = await runPushImage(harness({ env: cleanEnv() }), { tag: 'v1' }, deps());
    expect(r.code).toBe(ExitCode.Usage);
    expect(r.stderr).toContain('$NPM_TOKEN');
  });

  it('--deploy off a terminal without --yes: exit 3 before anything is built', async () => {
    const spawn = buildahSpawn();
    const r = await runPushImage(harness({ yes: false }), { tag: 'v1', deploy: true }, deps({ spawn }));
    expect(r.code).toBe(ExitCode.Refused);
    expect(r.stderr).toMatch(/without approval/);
    expect(spawn.calls).toEqual([]);
  });

  it('--deploy while the config pins another image: exit 2 (deploy would not run the pushed one)', async () => {
    project.cleanup();
    project = imageProject({ image: { tag: 'pinned-1' } });
    const r = await runPushImage(harness(), { tag: 'v1', deploy: true }, deps({ loadDeploy: async () => vi.fn(async () => undefined) }));
    expect(r.code).toBe(ExitCode.Usage);
    expect(r.stderr).toContain('pins the image to pinned-1');
  });

  it('--dry-run resolves the repository and builds nothing', async () => {
    const spawn = buildahSpawn();
    const r = await runPushImage(harness(), { tag: 'v1', alsoLatest: true, dryRun: true }, deps({ spawn }));
    expect(r.code).toBe(0);
    expect(r.result).toMatchObject({ dryRun: true, repositoryUri: REPO_URI, tags: ['v1', 'latest'], platform: 'linux/amd64', builder: 'buildah' });
    expect(spawn.calls).toEqual([]);
    // One question to ECR: is the tag in use (its tags are immutable)? No login, no push.
    expect(ecr.calls().map((c) => (c.args[0] as object).constructor.name)).toEqual(['DescribeImagesCommand']);
  });
});

describe('push-image: a build secret read from a file', () => {
  const FILE_SECRET = 'npm_FileSecretToken0123456789abcdefghijkl';

  it('passes the file by path (src=), never its content, and hides the content if a build step echoes it', async () => {
    project.cleanup();
    project = imageProject({ buildSecrets: { npmrc: { file: 'secrets/.npmrc' } } });
    mkdirSync(join(project.dir, 'secrets'));
    writeFileSync(join(project.dir, 'secrets', '.npmrc'), `//registry.npmjs.org/:_authToken=${FILE_SECRET}\n`);
    const spawn = fakeSpawn((r: SpawnRequest) => {
      if (r.command === 'git') return { code: 128 };
      if (r.args.includes('bud')) return { lines: [`STEP 2/2: RUN cat /run/secrets/npmrc`, `//registry.npmjs.org/:_authToken=${FILE_SECRET}`] };
      if (r.args.includes('push')) writeFileSync(r.args[r.args.indexOf('--digestfile') + 1], DIGEST);
      return {};
    });
    const r = await runPushImage(harness({ env: cleanEnv() }), { tag: 'v1' }, deps({ spawn }));
    expect(r.code, r.stderr).toBe(0);
    const bud = spawn.calls.find((c) => c.args.includes('bud'))!;
    expect(bud.args).toEqual(expect.arrayContaining(['--secret', `id=npmrc,src=${join(project.dir, 'secrets', '.npmrc')}`]));
    for (const c of spawn.calls) expect(c.args.join(' ')).not.toContain(FILE_SECRET);
    expect(r.stderr + r.stdout).not.toContain(FILE_SECRET);
  });

  it('a secret file that does not exist: exit 2 before anything is built, naming the id and the path', async () => {
    project.cleanup();
    project = imageProject({ buildSecrets: { npmrc: { file: '.npmrc' } } });
    const spawn = buildahSpawn();
    const r = await runPushImage(harness(), { tag: 'v1' }, deps({ spawn }));
    expect(r.code).toBe(ExitCode.Usage);
    expect(r.stderr).toMatch(/build secret 'npmrc' \(\.npmrc\): the file does not exist/);
    expect(spawn.calls.filter((c) => c.args.includes('bud'))).toEqual([]);
  });
});

describe('push-image: build, push, read back, record', () => {
  it('builds for the platform, pushes every tag, records the digest, and keeps the secret out of argv and output', async () => {
    const spawn = buildahSpawn();
    const r = await runPushImage(harness(), { tag: 'v1', alsoLatest: true }, deps({ spawn }));
    expect(r.code, r.stderr).toBe(0);

    const bud = spawn.calls.find((c) => c.args.includes('bud'))!;
    expect(bud.args).toEqual(expect.arrayContaining(['--platform', 'linux/amd64', '--secret', 'id=npm,env=NPM_TOKEN', '--build-arg', 'NODE_ENV=production']));
    expect(bud.args).toEqual(expect.arrayContaining(['-t', `${REPO_URI}:v1`, '-t', `${REPO_URI}:latest`]));
    expect(bud.args.at(-1)).toBe(project.dir);
    // The builder reads the secret from its environment; nothing else carries it.
    expect(bud.env?.NPM_TOKEN).toBe(SECRET);
    for (const c of spawn.calls) expect(c.args.join(' ')).not.toContain(SECRET);
    expect(r.stderr + r.stdout).not.toContain(SECRET);
    expect(r.stderr).toContain('STEP 2/2: RUN echo ***');

    // Login: password on stdin only.
    const login = spawn.calls.find((c) => c.args.includes('login'))!;
    expect(login.input).toBe(PASSWORD);
    expect(login.args).toEqual(expect.arrayContaining(['--password-stdin', '--username', 'AWS']));
    expect(login.args).not.toContain('--tls-verify=false');
    for (const c of spawn.calls) {
      expect(c.args.join(' ')).not.toContain(PASSWORD);
      expect(Object.values(c.env ?? {}).join(' ')).not.toContain(PASSWORD);
    }
    const authFile = login.args[login.args.indexOf('--authfile') + 1];
    expect(authFile.startsWith(project.dir)).toBe(false);
    expect(existsSync(authFile)).toBe(false);

    const pushes = spawn.calls.filter((c) => c.args.includes('push'));
    expect(pushes.map((c) => c.args.at(-1))).toEqual([`docker://${REPO_URI}:v1`, `docker://${REPO_URI}:latest`]);

    expect(r.result).toMatchObject({ digest: DIGEST, tag: 'v1', sizeBytes: 31_457_280, platform: 'linux/amd64', pushedAt: '2026-11-20T10:00:00.000Z' });
    // The release, in the environment's own account: the next deploy from any machine runs it.
    expect(ledger.get(`${LEDGER}releases/000001`)).toMatchObject({
      v: 1,
      id: '000001',
      image: { repository: REPO_URI, tag: 'v1', digest: DIGEST },
      platform: 'linux/amd64',
      git: null,
      by: { arn: 'arn:aws:sts::111111111111:assumed-role/dev/me' },
      tapctlVersion: '0.0.0-test',
      configFingerprint: expect.stringMatching(/^[0-9a-f]{64}$/),
      outcome: 'pushed',
      source: 'push-image',
    });
    expect(currentRelease()).toMatchObject({ id: '000001', outcome: 'pushed' });
    expect(r.stdout).toMatch(/release\s+000001 pushed {2}\/tapctl\/shop\/dev\/releases\/000001/);
    expect(existsSync(`${project.dir}/.tapctl/dev/image.json`)).toBe(false);
    expect(r.stdout).toContain(`pushed ${REPO_URI}:v1`);
    expect(r.stdout).toContain(DIGEST);
    expect(r.stdout).toContain('30 MB');
    expect(r.stdout).toContain('tapctl deploy --env dev');
    expect(r.stdout + r.stderr).not.toContain(PASSWORD);
  });

  it('reads the config blob with the registry credentials and drops them on the redirect to storage', async () => {
    const fetch = fakeFetch();
    await runPushImage(harness(), { tag: 'v1' }, deps({ fetch }));
    expect(fetch.calls[0].url).toBe(`https://${REPO_URI.split('/')[0]}/v2/shop-app-dev/blobs/${CONFIG_DIGEST}`);
    expect(fetch.calls[0].authorization).toBe(`Basic ${Buffer.from(`AWS:${PASSWORD}`).toString('base64')}`);
    expect(fetch.calls[1]).toEqual({ url: 'https://s3.example/blob?sig=1' });
  });

  it('arm64 tasks: builds linux/arm64', async () => {
    project.cleanup();
    project = imageProject({ architecture: 'arm64' });
    const spawn = buildahSpawn();
    const r = await runPushImage(harness(), { tag: 'v1' }, deps({ spawn, fetch: fakeFetch('arm64') }));
    expect(r.code, r.stderr).toBe(0);
    expect(spawn.calls.find((c) => c.args.includes('bud'))!.args).toEqual(expect.arrayContaining(['--platform', 'linux/arm64']));
    expect(r.result?.platform).toBe('linux/arm64');
  });

  it('an image of the wrong architecture: exit 1, and nothing recorded', async () => {
    const r = await runPushImage(harness(), { tag: 'v1' }, deps({ fetch: fakeFetch('arm64') }));
    expect(r.code).toBe(ExitCode.Failed);
    expect(r.stderr).toContain('is built for linux/arm64, but the service runs linux/amd64');
    expect(ledger.names(LEDGER)).toEqual([]);
  });

  it('a manifest list: picks the platform entry (attestations ignored)', async () => {
    const list = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        { digest: `sha256:${'2'.repeat(64)}`, platform: { os: 'linux', architecture: 'arm64' } },
        { digest: `sha256:${'3'.repeat(64)}`, platform: { os: 'linux', architecture: 'amd64' } },
        { digest: `sha256:${'4'.repeat(64)}`, platform: { os: 'unknown', architecture: 'unknown' } },
      ],
    });
    ecr.on(BatchGetImageCommand, { imageIds: [{ imageDigest: DIGEST }] }).resolves({ images: [{ imageManifest: list, imageManifestMediaType: 'application/vnd.oci.image.index.v1+json' }] });
    ecr.on(BatchGetImageCommand, { imageIds: [{ imageDigest: `sha256:${'3'.repeat(64)}` }] }).resolves({ images: [{ imageManifest: manifest() }] });
    const fetch = fakeFetch();
    const r = await runPushImage(harness(), { tag: 'v1' }, deps({ fetch }));
    expect(r.code, r.stderr).toBe(0);
    expect(r.result).toMatchObject({ digest: DIGEST, platformDigest: `sha256:${'3'.repeat(64)}` });
    // Reading a list back needs no blob: the only blobs read are the health check's, of the platform's image.
    expect(fetch.calls.filter((c) => c.url.includes('/v2/')).map((c) => c.url.split('/blobs/')[1])).toEqual([CONFIG_DIGEST, `sha256:${'d'.repeat(64)}`]);
  });

  it('a manifest list without the platform: exit 1 listing what it has', async () => {
    const list = JSON.stringify({ schemaVersion: 2, manifests: [{ digest: `sha256:${'2'.repeat(64)}`, platform: { os: 'linux', architecture: 'arm64' } }] });
    ecr.on(BatchGetImageCommand).resolves({ images: [{ imageManifest: list, imageManifestMediaType: 'application/vnd.docker.distribution.manifest.list.v2+json' }] });
    const r = await runPushImage(harness(), { tag: 'v1' }, deps());
    expect(r.code).toBe(ExitCode.Failed);
    expect(r.stderr).toContain('built for linux/arm64');
  });

  it('ECR and the builder disagree on the digest: exit 1 (the tag moved under us)', async () => {
    tagFree({ imageDigest: `sha256:${'9'.repeat(64)}` });
    const r = await runPushImage(harness(), { tag: 'v1' }, deps());
    expect(r.code).toBe(ExitCode.Failed);
    expect(r.stderr).toContain('something else pushed the same tag');
  });

  it('a failed build: exit 1 with the last lines of the build log (redacted), no login', async () => {
    const spawn = buildahSpawn({ failBuild: true });
    const r = await runPushImage(harness(), { tag: 'v1' }, deps({ spawn }));
    expect(r.code).toBe(ExitCode.Failed);
    expect(r.stderr).toContain('image build failed (buildah exited with 1)');
    expect(r.stderr).toContain('│ error building at STEP "RUN npm ci": exit status 1');
    expect(r.stderr).toContain('npm ERR! 401 Unauthorized token ***');
    expect(r.stderr).not.toContain(SECRET);
    expect(ecr.commandCalls(GetAuthorizationTokenCommand)).toHaveLength(0);
  });

  it('on a terminal the build shows as one live line; in CI as plain lines', async () => {
    const tty = await runPushImage(harness({ tty: true }), { tag: 'v1' }, deps());
    expect(tty.stderr).toContain('\r\x1b[2Kbuilding: STEP 1/2: FROM scratch');
    expect(tty.stderr).not.toContain('│ STEP 1/2');
    tagFree();
    const ci = await runPushImage(harness({ tty: true, env: cleanEnv({ NPM_TOKEN: SECRET, CI: 'true' }) }), { tag: 'v1' }, deps());
    expect(ci.stderr).toContain('│ STEP 1/2: FROM scratch');
    expect(ci.stderr).not.toContain('\x1b[2K');
  });

  it('an http:// registry (a local stand-in) gets --tls-verify=false; https never does', async () => {
    ecr.reset();
    mockToken(ecr, 'http://127.0.0.1:5999');
    cfn.reset();
    mockStack(cfn, '127.0.0.1:5999/shop-app-dev');
    tagFree({ imageDigest: DIGEST });
    ecr.on(BatchGetImageCommand).resolves({ images: [{ imageManifest: manifest() }] });
    const spawn = buildahSpawn();
    const r = await runPushImage(harness(), { tag: 'v1' }, deps({ spawn }));
    expect(r.code, r.stderr).toBe(0);
    for (const c of spawn.calls.filter((x) => x.args.includes('push') || x.args.includes('login'))) expect(c.args).toContain('--tls-verify=false');
  });

  it('a token for another registry than the repository: exit 1', async () => {
    ecr.reset();
    mockToken(ecr, 'https://999999999999.dkr.ecr.us-east-1.amazonaws.com');
    const r = await runPushImage(harness(), { tag: 'v1' }, deps());
    expect(r.code).toBe(ExitCode.Failed);
    expect(r.stderr).toContain('the ECR token is for 999999999999');
  });
});

describe('push-image and the release ledger', () => {
  it('takes the next release id after the newest, records the CI actor and run, and keeps the older releases', async () => {
    seedLedger(ledger, [releaseRecord(41), releaseRecord(42)], releaseRecord(42));
    const env = cleanEnv({ NPM_TOKEN: SECRET, GITHUB_ACTOR: 'octo', GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'acme/shop', GITHUB_RUN_ID: '99' });
    const r = await runPushImage(harness({ env }), { tag: 'v1' }, deps());
    expect(r.code, r.stderr).toBe(0);
    expect(ledger.get(`${LEDGER}releases/000043`)).toMatchObject({ by: { ciActor: 'octo', runUrl: 'https://github.com/acme/shop/actions/runs/99' }, outcome: 'pushed' });
    expect(currentRelease()).toMatchObject({ id: '000043' });
    expect(ledger.names(`${LEDGER}releases/`)).toHaveLength(3);
  });

  it('a --tag already in the (immutable) repository is refused before anything is built (exit 3), naming the release that has it', async () => {
    seedLedger(ledger, [releaseRecord(41, { image: { repository: REPO_URI, tag: 'v1', digest: DIGEST } })]);
    ecr.on(DescribeImagesCommand).resolves({ imageDetails: [{ imageDigest: DIGEST, imageTags: ['v1'] }] });
    const spawn = buildahSpawn();
    const r = await runPushImage(harness(), { tag: 'v1' }, deps({ spawn }));
    expect(r.code).toBe(ExitCode.Refused);
    expect(r.stderr).toContain("✖ refusing to push: tag 'v1' is already in ECR repository shop-app-dev, on release 000041 (sha256:111111111111), and its tags are immutable: it names that image for good");
    expect(r.stderr).toContain('hint: choose a new tag (e.g. --tag v1-2, or the next version); to run that image again: tapctl rollback --env dev --to tag:v1');
    expect(spawn.calls.filter((c) => c.args.includes('bud'))).toEqual([]);
    expect(ledger.names(`${LEDGER}releases/`)).toEqual([`${LEDGER}releases/000041`]);
  });

  it('a rebuild of something already pushed (a CI retry of the same commit) gets a tag of its own, saying why', async () => {
    const first = await runPushImage(harness(), { dryRun: true }, deps());
    const tag = first.result!.tag;
    // The derived tag and its first rebuild tag are taken; the next one is free.
    ecr.on(DescribeImagesCommand).callsFake((input: { imageIds?: Array<{ imageTag?: string }> }) => {
      const asked = input.imageIds?.[0]?.imageTag;
      if (asked === tag || asked === `${tag}-r2`) return { imageDetails: [{ imageDigest: DIGEST, imageTags: [asked] }] };
      throw Object.assign(new Error('not found'), { name: 'ImageNotFoundException' });
    });
    const r = await runPushImage(harness(), { dryRun: true }, deps());
    expect(r.code, r.stderr).toBe(0);
    expect(r.result?.tag).toBe(`${tag}-r3`);
    expect(r.stderr).toMatch(new RegExp(`tag '${tag}' is already in ECR repository shop-app-dev, on an image no release in the ledger names .*: this build context was built and pushed before, and a rebuild is rarely the same image; ECR tags are immutable, so this build is tagged '${tag}-r3'`));
  });

  it('the placeholder tag is reserved (exit 2), before anything is built', async () => {
    const spawn = buildahSpawn();
    const r = await runPushImage(harness(), { tag: 'tapctl-bootstrap-placeholder' }, deps({ spawn }));
    expect(r.code).toBe(ExitCode.Usage);
    expect(r.stderr).toContain("'tapctl-bootstrap-placeholder' is reserved");
    expect(spawn.calls).toEqual([]);
  });

  it('two racing pushes: the one whose pointer write lost says which release is current, not "it is current"', async () => {
    const other = releaseRecord(2, { outcome: 'pushed', image: { repository: REPO_URI, tag: 'v2', digest: `sha256:${'2'.repeat(64)}` }, by: { arn: 'arn:aws:sts::1:assumed-role/ci/x', ciActor: 'octo' } });
    ledger.beforePut = (name) => {
      // Right after this push made its release current, the other push makes its own current.
      if (name === `${LEDGER}current` && !ledger.params.has(`${LEDGER}releases/000002`)) {
        ledger.beforePut = undefined;
        queueMicrotask(() => seedLedger(ledger, [other], other));
      }
    };
    const r = await runPushImage(harness(), { tag: 'v1' }, deps());
    expect(r.code, r.stderr).toBe(0);
    expect(r.result?.current).toMatchObject({ id: '000002', ours: false });
    expect(r.stdout).toContain("! release 000002 (v2@sha256:222222222222, by octo) became the ledger's current release after this push: tapctl deploy --env dev runs that one, not this image");
  });

  it('a denied ledger read stops before anything is built (exit 1), naming the action and the ARN', async () => {
    ledger.deny.add('GetParametersByPath');
    const spawn = buildahSpawn();
    const r = await runPushImage(harness(), { tag: 'v1' }, deps({ spawn }));
    expect(r.code).toBe(ExitCode.Failed);
    expect(r.stderr).toContain('✖ AWS denied ssm:GetParametersByPath on arn:aws:ssm:us-east-1:111111111111:parameter/tapctl/shop/dev/releases/*');
    expect(spawn.calls.filter((c) => c.args.includes('bud'))).toEqual([]);
  });

  it('a denied ledger write after the push says the image is pushed but not recorded (exit 1)', async () => {
    ledger.deny.add('PutParameter');
    const r = await runPushImage(harness(), { tag: 'v1' }, deps());
    expect(r.code).toBe(ExitCode.Failed);
    expect(r.stderr).toContain(`✖ pushed ${REPO_URI}:v1 (${DIGEST}), but it is not recorded as a release: AWS denied ssm:PutParameter on arn:aws:ssm:us-east-1:111111111111:parameter/tapctl/shop/dev/releases/000001`);
    expect(r.stderr).toMatch(/hint: the release ledger needs .*; then push again/);
  });
});

describe('push-image --scan', () => {
  it('waits for scan-on-push and prints the findings by severity', async () => {
    const notYet = Object.assign(new Error('no scan'), { name: 'ScanNotFoundException' });
    ecr
      .on(DescribeImageScanFindingsCommand)
      .rejectsOnce(notYet)
      .resolvesOnce({ imageScanStatus: { status: 'IN_PROGRESS' } })
      .resolves({
        imageScanStatus: { status: 'COMPLETE' },
        imageScanFindings: {
          findingSeverityCounts: { HIGH: 1, LOW: 1 },
          findings: [
            { name: 'CVE-2026-0002', severity: 'LOW', attributes: [{ key: 'package_name', value: 'zlib' }] },
            { name: 'CVE-2026-0001', severity: 'HIGH', attributes: [{ key: 'package_name', value: 'openssl' }, { key: 'package_version', value: '3.0.2' }] },
          ],
        },
      });
    const sleep = vi.fn(async () => undefined);
    const r = await runPushImage(harness(), { tag: 'v1', scan: true }, deps({ scanWait: { pollMs: 1, timeoutMs: 60_000, sleep } }));
    expect(r.code, r.stderr).toBe(0);
    expect(sleep).toHaveBeenCalledTimes(2);
    expect(r.result?.scan).toMatchObject({ status: 'COMPLETE', counts: { HIGH: 1, LOW: 1, CRITICAL: 0 } });
    expect(r.stdout).toContain('HIGH 1 · LOW 1');
    const high = r.stdout.indexOf('CVE-2026-0001');
    expect(high).toBeGreaterThan(0);
    expect(high).toBeLessThan(r.stdout.indexOf('CVE-2026-0002'));
    expect(r.stdout).toContain('openssl 3.0.2');
  });

  it('a scan that does not finish in time is a warning, not a failure', async () => {
    ecr.on(DescribeImageScanFindingsCommand).resolves({ imageScanStatus: { status: 'IN_PROGRESS' } });
    const r = await runPushImage(harness(), { tag: 'v1', scan: true }, deps({ scanWait: { pollMs: 1, timeoutMs: 0, sleep: async () => undefined } }));
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('scan timeout');
    expect(currentRelease()?.image.digest).toBe(DIGEST);
  });
});

describe('push-image --deploy', () => {
  const TD = 'arn:aws:ecs:us-east-1:111111111111:task-definition/shop-app-dev:8';

  it('records the release, runs deploy, waits for ECS to run it, then marks it deployed with the task definition', async () => {
    const seen: unknown[] = [];
    const deploy = vi.fn(async (_ctx: unknown, options: unknown) => {
      // deploy takes the ledger's current release: it must be recorded before deploy runs.
      seen.push(currentRelease()?.image.digest, options);
      return { stackName: 'TapStack-shop-dev' };
    });
    ecs.on(DescribeServicesCommand).resolves({ services: [{ status: 'ACTIVE', deployments: [{ status: 'PRIMARY', taskDefinition: TD, rolloutState: 'COMPLETED', runningCount: 2, desiredCount: 2 }] }] });
    ecs.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: { containerDefinitions: [{ image: `${REPO_URI}@${DIGEST}` }] } });
    ecs.on(ListTasksCommand).resolves({ taskArns: [] });
    const r = await runPushImage(harness(), { tag: 'v1', deploy: true, wait: true }, deps({ loadDeploy: async () => deploy, rolloutWait: { pollMs: 1, sleep: async () => undefined } }));
    expect(r.code, r.stderr).toBe(0);
    expect(seen).toEqual([DIGEST, { hotswap: false, wait: true }]);
    expect(ecs.commandCalls(DescribeServicesCommand)[0].args[0].input).toEqual({ cluster: 'shop-cluster-dev', services: ['shop-service-dev'] });
    expect(r.result?.rollout).toMatchObject({ taskDefinitionArn: TD, runningCount: 2 });
    expect(r.stdout).toContain('2/2 tasks on shop-app-dev:8');
    expect(ledger.get(`${LEDGER}releases/000001`)).toMatchObject({ outcome: 'deployed', taskDefinitionArn: TD });
    expect(currentRelease()).toMatchObject({ id: '000001', outcome: 'deployed' });
    expect(r.result?.release).toEqual({ id: '000001', outcome: 'deployed', rollout: 'healthy', parameter: `${LEDGER}releases/000001` });
  });

  it('Ctrl-C while it waits for ECS: the ledger already names the release, and the message says the next deploy runs it', async () => {
    const controller = new AbortController();
    const deploy = vi.fn(async () => ({ status: 'deployed' }));
    ecs.on(DescribeServicesCommand).callsFake(() => {
      controller.abort();
      return { services: [{ status: 'ACTIVE', deployments: [{ status: 'PRIMARY', taskDefinition: TD, rolloutState: 'IN_PROGRESS', runningCount: 0, desiredCount: 2 }] }] };
    });
    ecs.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: { containerDefinitions: [{ image: `${REPO_URI}@${DIGEST}` }] } });
    ecs.on(ListTasksCommand).resolves({ taskArns: [] });
    const r = await runPushImage(harness({ signal: controller.signal }), { tag: 'v1', deploy: true }, deps({ loadDeploy: async () => deploy, rolloutWait: { pollMs: 1 } }));
    expect(r.code).toBe(ExitCode.Interrupted);
    expect(r.stderr).toMatch(/interrupted while waiting for shop-service-dev; the rollout goes on in ECS; the release ledger records release 000001 \(v1\) as current: the next tapctl deploy runs it/);
    expect(currentRelease()).toMatchObject({ id: '000001' });
  });

  it('in CI, a long rollout wait prints progress lines, not silence', async () => {
    const deploy = vi.fn(async () => ({ status: 'deployed' }));
    let polls = 0;
    ecs.on(DescribeServicesCommand).callsFake(() => {
      polls++;
      const running = polls < 3 ? 0 : polls < 5 ? 1 : 2;
      return { services: [{ status: 'ACTIVE', deployments: [{ status: 'PRIMARY', taskDefinition: TD, rolloutState: polls < 5 ? 'IN_PROGRESS' : 'COMPLETED', runningCount: running, desiredCount: 2 }] }] };
    });
    ecs.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: { containerDefinitions: [{ image: `${REPO_URI}@${DIGEST}` }] } });
    ecs.on(ListTasksCommand).resolves({ taskArns: [] });
    const r = await runPushImage(harness(), { tag: 'v1', deploy: true }, deps({ loadDeploy: async () => deploy, rolloutWait: { pollMs: 1, sleep: async () => undefined } }));
    expect(r.code, r.stderr).toBe(0);
    // One line per change of what ECS reports (a terminal would redraw one line instead).
    expect(r.stderr).toMatch(/… rollout in_progress: 0\/2 running, 0 pending {2}\(\d+s\)\n.*… rollout in_progress: 1\/2 running, 0 pending/s);
    expect(r.stderr.match(/… rollout in_progress: 0\/2 running/g)).toHaveLength(1);
  });

  it('a rollout the circuit breaker rolls back is exit 1, and the release is marked failed', async () => {
    const deploy = vi.fn(async () => ({ status: 'deployed' }));
    ecs.on(DescribeServicesCommand).resolves({
      services: [{ status: 'ACTIVE', deployments: [{ status: 'PRIMARY', taskDefinition: TD, rolloutState: 'FAILED', rolloutStateReason: 'tasks failed to start', runningCount: 0, desiredCount: 2 }] }],
    });
    ecs.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: { containerDefinitions: [{ image: `${REPO_URI}@${DIGEST}` }] } });
    ecs.on(ListTasksCommand).resolves({ taskArns: [] });
    const r = await runPushImage(harness(), { tag: 'v1', deploy: true }, deps({ loadDeploy: async () => deploy, rolloutWait: { pollMs: 1, sleep: async () => undefined } }));
    expect(r.code).toBe(ExitCode.Failed);
    expect(r.stderr).toMatch(/the rollout of shop-service-dev failed: the deployment circuit breaker stopped it/);
    expect(ledger.get(`${LEDGER}releases/000001`)).toMatchObject({ outcome: 'failed' });
    expect(currentRelease()).toMatchObject({ id: '000001', outcome: 'failed' });
  });

  it('--json: deploy streams its events, and push-image ends the stream with the one result line', async () => {
    const deploy = vi.fn(async (ctx: { io: { event(e: Record<string, unknown> & { type: string }): void } }) => {
      ctx.io.event({ type: 'phase', phase: 'deploy' });
      return { ok: true, status: 'deployed' };
    });
    const r = await runPushImage(harness({ json: true }), { tag: 'v1', deploy: true, wait: false }, deps({ loadDeploy: async () => deploy as never }));
    expect(r.code, r.stderr).toBe(0);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(events.map((e) => e.type)).toEqual(['phase', 'result']);
    expect(events[1]).toMatchObject({ command: 'push-image', ok: true, digest: DIGEST, deployed: true, deployStatus: 'deployed' });
  });

  it('--hotswap on a non-production environment is passed to deploy', async () => {
    const deploy = vi.fn(async () => ({}));
    const r = await runPushImage(harness(), { tag: 'v1', deploy: true, hotswap: true, wait: false }, deps({ loadDeploy: async () => deploy }));
    expect(r.code, r.stderr).toBe(0);
    expect(deploy).toHaveBeenCalledWith(expect.anything(), { hotswap: true, wait: false });
    expect(ecs.calls()).toHaveLength(0);
  });
});

describe('push-image is registered', () => {
  it('appears in tapctl --help with its flags', async () => {
    const { runTapctl } = await import('../helpers/cli.js');
    const r = await runTapctl(['push-image', '--help'], { cwd: project.dir });
    expect(r.code).toBe(0);
    for (const flag of ['--builder', '--tag', '--also-latest', '--scan', '--deploy', '--hotswap', '--no-wait', '--dry-run']) expect(r.stdout).toContain(flag);
    expect(r.stdout).toContain('docker (only when');
  });

  it('the default deploy loader finds the deploy command', async () => {
    const { loadDeployCommand } = await import('../../src/image/push-flow.js');
    const { run: deployRun } = await import('../../src/commands/deploy.js');
    expect(await loadDeployCommand()).toBe(deployRun);
  });
});
