/** What a deploy writes to the ledger as each fact becomes known (record.ts), against a mocked Parameter Store. */
import { SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AwsClients } from '../../src/aws/clients.js';
import { loadConfig } from '../../src/config/load.js';
import type { ResolvedEnvironment } from '../../src/config/resolve.js';
import { DeployRecord, type DeployOutcome } from '../../src/release/record.js';
import { configFingerprint, type Release } from '../../src/release/release.js';
import { withImage, type ImageResolution } from '../../src/release/running-image.js';
import { FakeParameterStore, releaseRecord, seedLedger } from '../helpers/fake-ssm.js';
import { sampleConfig, tempProject, type TempProject } from '../helpers/project.js';

const ssm = mockClient(SSMClient);
const LEDGER = '/tapctl/shop/dev/';
const REPO = '111111111111.dkr.ecr.us-east-1.amazonaws.com/shop-app-dev';
let store: FakeParameterStore;
let project: TempProject;
let env: ResolvedEnvironment;

beforeAll(() => {
  project = tempProject(sampleConfig());
  env = loadConfig(project.configPath).environments.find((e) => e.name === 'dev')!;
});
afterAll(() => project.cleanup());
beforeEach(() => {
  ssm.reset();
  store = new FakeParameterStore();
  store.install(ssm);
});
afterEach(() => ssm.reset());

/** A deployed template whose task definition runs `suffix` (`:v7`, `@sha256:...`) from the stack's repository. */
const deployedRunning = (suffix: string) => ({
  Resources: { TaskDef: { Type: 'AWS::ECS::TaskDefinition', Properties: { ContainerDefinitions: [{ Name: 'app', Image: { 'Fn::Join': ['', [{ Ref: 'Repo' }, suffix]] } }] } } },
});

function recorder(image: ImageResolution, deployedBefore = deployedRunning(':v6'), verdict?: 'healthy' | 'failed') {
  let lookedUp = 0;
  const rec = new DeployRecord({
    env: image.env,
    clients: new AwsClients({ region: 'us-east-1' }),
    image,
    deployedBefore,
    by: 'arn:aws:iam::111111111111:user/ci',
    processEnv: { GITLAB_USER_LOGIN: 'gl', CI_JOB_URL: 'https://gitlab.example/j/1' },
    tapctlVersion: '0.1.0',
    taskDefinitionArn: async () => {
      lookedUp++;
      return 'arn:aws:ecs:us-east-1:111111111111:task-definition/shop-app-dev:12';
    },
    rolloutVerdict: async () => verdict,
  });
  return { rec, lookups: () => lookedUp };
}

/** A deploy as deploy-flow runs it: started when approved (a change), then its outcome. */
function record(image: ImageResolution, outcome: DeployOutcome, deployedBefore = deployedRunning(':v6'), verdict?: 'healthy' | 'failed') {
  const { rec, lookups } = recorder(image, deployedBefore, verdict);
  const done = (async () => {
    if (outcome === 'no-changes') return rec.finished('no-changes');
    const started = await rec.started();
    return outcome === 'started' ? started : rec.finished(outcome);
  })();
  return { done, lookups, rec };
}

const fromRelease = (r: Release): ImageResolution => ({
  plan: { source: 'release', releaseId: r.id, tag: r.image.tag, digest: r.image.digest, display: 'x', from: `release ${r.id} in the ledger` },
  env: withImage(env, r.image),
  current: r,
  check: { status: 'pass', detail: '' },
});

describe('recordDeploy', () => {
  it('an infrastructure-only deploy of the running release writes nothing while the config is the same', async () => {
    const r = releaseRecord(7, { configFingerprint: configFingerprint(env) }) as unknown as Release;
    seedLedger(store, [r as never], r as never);
    const { done, lookups } = record(fromRelease(r), 'deployed');
    expect(await done).toEqual({ id: '000007', outcome: 'deployed', parameter: `${LEDGER}releases/000007` });
    expect(store.params.get(`${LEDGER}releases/000007`)!.version).toBe(1);
    expect(lookups()).toBe(0);
  });

  it('keeps the running release\'s config fingerprint true after a config change, so rollback compares with what is deployed', async () => {
    const r = releaseRecord(7) as unknown as Release;
    seedLedger(store, [r as never], r as never);
    await record(fromRelease(r), 'no-changes').done;
    expect(store.get(`${LEDGER}releases/000007`)).toMatchObject({ configFingerprint: configFingerprint(env), outcome: 'deployed' });
    expect(store.get(`${LEDGER}current`)).toMatchObject({ release: { configFingerprint: configFingerprint(env) } });
  });

  it('a deploy of a pushed release records it started before CloudFormation acts, then deployed: --no-wait stops at started; a failure marks it failed', async () => {
    const r = releaseRecord(8, { outcome: 'pushed' }) as unknown as Release;
    seedLedger(store, [r as never], r as never);
    expect(await record(fromRelease(r), 'started').done).toMatchObject({ outcome: 'started' });
    expect(store.get(`${LEDGER}releases/000008`)).toMatchObject({ outcome: 'started' });
    expect(store.get(`${LEDGER}current`)).toMatchObject({ release: { id: '000008', outcome: 'started' } });
    const started = store.get(`${LEDGER}releases/000008`) as Release;
    expect(await record(fromRelease(started), 'failed').done).toMatchObject({ outcome: 'failed' });
    expect(store.get(`${LEDGER}releases/000008`)).toMatchObject({ outcome: 'failed' });
  });

  it('"deployed" says what CloudFormation did; ECS healthy is recorded only when the service was seen running it', async () => {
    const r = releaseRecord(8, { outcome: 'pushed' }) as unknown as Release;
    seedLedger(store, [r as never], r as never);
    // A change-free deploy of a release the stack already has (ECS still on the placeholder): deployed, no verdict.
    expect(await record(fromRelease(r), 'no-changes').done).toEqual({ id: '000008', outcome: 'deployed', parameter: `${LEDGER}releases/000008` });
    expect(store.get(`${LEDGER}releases/000008`)).not.toHaveProperty('rollout');
    const r9 = releaseRecord(9, { outcome: 'pushed' }) as unknown as Release;
    seedLedger(store, [r9 as never], r9 as never);
    expect(await record(fromRelease(r9), 'deployed', deployedRunning(':v6'), 'healthy').done).toMatchObject({ outcome: 'deployed', rollout: 'healthy' });
    expect(store.get(`${LEDGER}releases/000009`)).toMatchObject({ outcome: 'deployed', rollout: 'healthy', taskDefinitionArn: expect.stringContaining(':12') });
  });

  it('a started rollback that a later deploy sees completed marks the release it replaced rolled-back', async () => {
    const r7 = releaseRecord(7, { rollout: 'healthy' });
    const r8 = releaseRecord(8, { rollout: 'healthy' });
    const r9 = releaseRecord(9, { outcome: 'started', source: 'rollback', from: '000007', rollbackOf: '000008', image: (r7 as { image: object }).image }) as unknown as Release;
    seedLedger(store, [r7, r8, r9 as never], r9 as never);
    expect(await record(fromRelease(r9), 'no-changes').done).toMatchObject({ id: '000009', outcome: 'deployed' });
    expect(store.get(`${LEDGER}releases/000008`)).toMatchObject({ outcome: 'rolled-back' });
  });

  it('a pinned image is recorded as started before the change, so an interrupted deploy leaves it current', async () => {
    seedLedger(store, [releaseRecord(7) as never]);
    const pinned = { tag: 'v9', digest: `sha256:${'9'.repeat(64)}` };
    const resolution: ImageResolution = { plan: { source: 'config', ...pinned, display: 'x', from: 'the config (container.image)' }, env: withImage(env, pinned), check: { status: 'pass', detail: '' } };
    const { rec } = recorder(resolution);
    expect(await rec.started()).toMatchObject({ id: '000008', outcome: 'started' });
    expect(store.get(`${LEDGER}current`)).toMatchObject({ release: { id: '000008', outcome: 'started' } });
    expect(rec.nextRun()).toBe('the release ledger records release 000008 (v9@sha256:999999999999) as current, started: the next tapctl deploy runs it');
  });

  it('a pinned image that differs from what ran becomes a release of its own (source deploy), with who and the task definition', async () => {
    seedLedger(store, [releaseRecord(7) as never]);
    const pinned = { tag: 'v9', digest: `sha256:${'9'.repeat(64)}` };
    const resolution: ImageResolution = { plan: { source: 'config', ...pinned, display: 'x', from: 'the config (container.image)' }, env: withImage(env, pinned), check: { status: 'pass', detail: '' } };
    const { done, lookups } = record(resolution, 'deployed');
    expect(await done).toEqual({ id: '000008', outcome: 'deployed', parameter: `${LEDGER}releases/000008` });
    expect(lookups()).toBe(1);
    expect(store.get(`${LEDGER}releases/000008`)).toMatchObject({
      source: 'deploy',
      image: { repository: REPO, ...pinned },
      git: null,
      by: { arn: 'arn:aws:iam::111111111111:user/ci', ciActor: 'gl', runUrl: 'https://gitlab.example/j/1' },
      taskDefinitionArn: 'arn:aws:ecs:us-east-1:111111111111:task-definition/shop-app-dev:12',
    });
    expect(store.get(`${LEDGER}current`)).toMatchObject({ release: { id: '000008' } });

    // The same pin again: the stack already runs it, so nothing new is recorded.
    const again = record(resolution, 'no-changes', deployedRunning(`@${pinned.digest}`));
    await again.done;
    expect(store.names(`${LEDGER}releases/`)).toHaveLength(2);
  });

  it('records nothing for an image kept from the deployed stack', async () => {
    const kept: ImageResolution = { plan: { source: 'deployed-stack', tag: 'v6', display: 'x', from: 'what the deployed stack runs' }, env: withImage(env, { tag: 'v6' }), check: { status: 'pass', detail: '' } };
    expect(await record(kept, 'deployed').done).toBeUndefined();
    expect(store.names()).toEqual([]);
  });
});
