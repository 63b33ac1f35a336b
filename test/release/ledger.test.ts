/** The release record and the SSM ledger, against a Parameter Store behind aws-sdk-client-mock. */
import { DeleteParametersCommand, GetParametersByPathCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AwsClients } from '../../src/aws/clients.js';
import { OperationError } from '../../src/cli/errors.js';
import { loadConfig } from '../../src/config/load.js';
import { createRelease, getRelease, ledgerFor, listReleases, markEnded, pruneReleases, readHead, setCurrent, updateRelease } from '../../src/release/ledger.js';
import { ciAuthor, configFingerprint, parseRelease, serializeRelease, STANDARD_PARAMETER_MAX_BYTES, type Release, type ReleaseDraft } from '../../src/release/release.js';
import { RELEASES_KEPT, prunable } from '../../src/release/retention.js';
import { FakeParameterStore, releaseRecord, seedLedger } from '../helpers/fake-ssm.js';
import { sampleConfig, tempProject } from '../helpers/project.js';

const ssm = mockClient(SSMClient);
const ledger = ledgerFor({ project: 'shop', suffix: 'dev', region: 'us-east-1', account: '111111111111' });
const PREFIX = '/tapctl/shop/dev/';
let store: FakeParameterStore;
let clients: AwsClients;

beforeEach(() => {
  ssm.reset();
  store = new FakeParameterStore();
  store.install(ssm);
  clients = new AwsClients({ region: 'us-east-1' });
});
afterEach(() => ssm.reset());

const draft = (tag: string, over: Partial<ReleaseDraft> = {}): ReleaseDraft => ({
  image: { repository: '111111111111.dkr.ecr.us-east-1.amazonaws.com/shop-app-dev', tag, digest: `sha256:${'a'.repeat(64)}` },
  platform: 'linux/amd64',
  git: { commit: 'abc1234', dirty: false },
  by: { arn: 'arn:aws:sts::111111111111:assumed-role/dev/alice' },
  at: '2026-11-20T10:00:00.000Z',
  tapctlVersion: '0.1.0',
  configFingerprint: 'f'.repeat(64),
  outcome: 'pushed',
  source: 'push-image',
  ...over,
});

describe('the ledger layout', () => {
  it('lives under /tapctl/<project>/<suffix>/ with ARNs in the right partition', () => {
    expect(ledger).toEqual({ prefix: PREFIX, arnPrefix: 'arn:aws:ssm:us-east-1:111111111111:parameter/tapctl/shop/dev/' });
    expect(ledgerFor({ project: 'shop', suffix: 'prod', region: 'cn-north-1', account: '1' }).arnPrefix).toMatch(/^arn:aws-cn:ssm:cn-north-1:1:parameter\/tapctl\/shop\/prod\/$/);
  });
});

describe('a release record', () => {
  it('fits one Standard parameter even with every free-text field at its longest, and so does the current pointer', async () => {
    const huge: Release = {
      v: 1,
      id: '000042',
      ...draft('t'.repeat(300), {
        image: { repository: `111111111111.dkr.ecr.us-east-1.amazonaws.com/${'r'.repeat(256)}`, tag: 't'.repeat(300), digest: `sha256:${'a'.repeat(64)}` },
        by: { arn: `arn:aws:iam::111111111111:user/${'p'.repeat(5000)}`, ciActor: 'c'.repeat(900), runUrl: `https://ci.example/${'u'.repeat(3000)}` },
        git: { commit: 'f'.repeat(64), dirty: true },
        taskDefinitionArn: `arn:aws:ecs:us-east-1:111111111111:task-definition/${'f'.repeat(255)}:123456`,
        outcome: 'rolled-back',
        rollout: 'failed',
        rolloutAlarms: Array.from({ length: 6 }, (_, i) => `${i}`.repeat(300)),
        source: 'rollback',
        from: '000041',
        rollbackOf: '000040',
        updatedAt: '2026-11-20T10:00:00.000Z',
        tapctlVersion: '10.20.30-beta.4',
      }),
    };
    const json = serializeRelease(huge);
    expect(Buffer.byteLength(json)).toBeLessThanOrEqual(3700);
    const parsed = parseRelease(json);
    expect(parsed.ok && parsed.value.by.arn.endsWith('…')).toBe(true);
    expect(parsed.ok && parsed.value.rolloutAlarms?.map((a) => a.length)).toEqual([64, 64, 64]);
    await setCurrent(clients, ledger, huge, 'arn:aws:sts::111111111111:assumed-role/dev/alice');
    expect(Buffer.byteLength(store.params.get(`${PREFIX}current`)!.value)).toBeLessThanOrEqual(STANDARD_PARAMETER_MAX_BYTES);
  });

  it('is validated when read back: not JSON, a newer layout, a bad digest or a mismatched id are reported, not trusted', () => {
    expect(parseRelease('{nope')).toEqual({ ok: false, reason: 'not JSON' });
    expect(parseRelease(JSON.stringify(releaseRecord(1, { v: 2 })))).toEqual({ ok: false, reason: 'written by a newer tapctl (record version 2)' });
    expect(parseRelease(JSON.stringify(releaseRecord(1, { image: { repository: 'r', digest: 'sha256:xyz' } })))).toMatchObject({ ok: false, reason: expect.stringMatching(/digest/) });
    expect(parseRelease(JSON.stringify(releaseRecord(1, { outcome: 'maybe' })))).toMatchObject({ ok: false, reason: expect.stringMatching(/outcome 'maybe'/) });
    expect(parseRelease(JSON.stringify(releaseRecord(1)), '000002')).toMatchObject({ ok: false, reason: expect.stringMatching(/does not match/) });
    expect(parseRelease(JSON.stringify(releaseRecord(1)), '000001').ok).toBe(true);
  });

  it('names the CI actor and run from GitHub Actions or GitLab CI, and nothing outside CI', () => {
    expect(ciAuthor({ GITHUB_ACTOR: 'octo', GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'acme/shop', GITHUB_RUN_ID: '77' })).toEqual({ ciActor: 'octo', runUrl: 'https://github.com/acme/shop/actions/runs/77' });
    expect(ciAuthor({ GITLAB_USER_LOGIN: 'gl', CI_JOB_URL: 'https://gitlab.example/acme/shop/-/jobs/9' })).toEqual({ ciActor: 'gl', runUrl: 'https://gitlab.example/acme/shop/-/jobs/9' });
    expect(ciAuthor({})).toEqual({});
  });

  it('fingerprints the config without the image or the profile, and with everything else', () => {
    const base = sampleConfig();
    const variants = [
      base,
      { ...base, defaults: { ...(base.defaults as object), container: { image: { tag: 'v9' } } } },
      { ...base, environments: { ...(base.environments as object), dev: { ...(base.environments as any).dev, profile: 'alice' } } },
      { ...base, defaults: { ...(base.defaults as object), container: { cpu: 2048, memory: 4096 } } },
    ];
    const prints = variants.map((config) => {
      const project = tempProject(config);
      try {
        return configFingerprint(loadConfig(project.configPath).environments.find((e) => e.name === 'dev')!);
      } finally {
        project.cleanup();
      }
    });
    expect(prints[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(prints[1]).toBe(prints[0]);
    expect(prints[2]).toBe(prints[0]);
    expect(prints[3]).not.toBe(prints[0]);
  });
});

describe('writing releases', () => {
  it('two racing pushes both get a release: the loser of an id takes the next one, nothing is lost', async () => {
    const [a, b] = await Promise.all([createRelease(clients, ledger, draft('v1'), 0), createRelease(clients, ledger, draft('v2'), 0)]);
    expect([a.id, b.id].sort()).toEqual(['000001', '000002']);
    expect(store.get(`${PREFIX}releases/${a.id}`)).toMatchObject({ image: { tag: 'v1' } });
    expect(store.get(`${PREFIX}releases/${b.id}`)).toMatchObject({ image: { tag: 'v2' } });
    // Every attempt was a create-only write: nothing was ever overwritten.
    expect(ssm.commandCalls(PutParameterCommand).every((c) => c.args[0].input.Overwrite === false)).toBe(true);
    expect(ssm.commandCalls(PutParameterCommand)).toHaveLength(3);
  });

  it('a writer on another machine that takes the id between the listing and the write pushes this one to the next id', async () => {
    seedLedger(store, [releaseRecord(41)]);
    store.beforePut = (name) => {
      if (name.endsWith('/000042') && !store.params.has(name)) store.set(name, releaseRecord(42, { image: { repository: 'x', tag: 'theirs' } }));
    };
    const mine = await createRelease(clients, ledger, draft('mine'), 41);
    expect(mine.id).toBe('000043');
    expect(store.get(`${PREFIX}releases/000042`)).toMatchObject({ image: { tag: 'theirs' } });
    expect(store.get(`${PREFIX}releases/000043`)).toMatchObject({ image: { tag: 'mine' }, outcome: 'pushed' });
  });

  it('outcome updates overwrite the same parameter (one more version each)', async () => {
    const r = await createRelease(clients, ledger, draft('v1'), 0);
    await updateRelease(clients, ledger, { ...r, outcome: 'deployed', taskDefinitionArn: 'arn:aws:ecs:us-east-1:111111111111:task-definition/shop-app-dev:3' });
    expect(store.params.get(`${PREFIX}releases/000001`)!.version).toBe(2);
    expect(store.get(`${PREFIX}releases/000001`)).toMatchObject({ outcome: 'deployed', taskDefinitionArn: expect.stringContaining(':3') });
  });

  it('a denied write is exit 1 naming the action and the parameter ARN, with the policy the ledger needs', async () => {
    store.deny.add('PutParameter');
    const e = await createRelease(clients, ledger, draft('v1'), 0).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(OperationError);
    const err = e as OperationError;
    expect(err.exitCode).toBe(1);
    expect(err.code).toBe('access-denied');
    expect(err.message).toBe('AWS denied ssm:PutParameter on arn:aws:ssm:us-east-1:111111111111:parameter/tapctl/shop/dev/releases/000001: tapctl cannot write the release ledger');
    expect(err.hint).toContain('ssm:GetParameters, ssm:GetParametersByPath, ssm:PutParameter, ssm:DeleteParameters on arn:aws:ssm:us-east-1:111111111111:parameter/tapctl/shop/dev/*');
  });
});

describe('reading the ledger', () => {
  it('lists every release page by page (10 per page), newest first, reporting invalid records apart', async () => {
    seedLedger(store, Array.from({ length: 23 }, (_, i) => releaseRecord(i + 1)));
    store.set(`${PREFIX}releases/000024`, '{"v":1,"id":"000024"}');
    store.set(`${PREFIX}releases/notes`, 'hello');
    const list = await listReleases(clients, ledger);
    expect(ssm.commandCalls(GetParametersByPathCommand)).toHaveLength(3);
    expect(ssm.commandCalls(GetParametersByPathCommand).every((c) => c.args[0].input.MaxResults === 10)).toBe(true);
    expect(list.releases.map((r) => r.id).slice(0, 3)).toEqual(['000023', '000022', '000021']);
    expect(list.releases).toHaveLength(23);
    expect(list.invalid).toEqual([
      { name: `${PREFIX}releases/000024`, reason: 'image is missing' },
      { name: `${PREFIX}releases/notes`, reason: 'not JSON' },
    ]);
    expect(list.highestId).toBe(24);
  });

  it('a denied read names ssm:GetParametersByPath and the releases ARN', async () => {
    store.deny.add('GetParametersByPath');
    await expect(listReleases(clients, ledger)).rejects.toMatchObject({ exitCode: 1, message: expect.stringContaining('AWS denied ssm:GetParametersByPath on arn:aws:ssm:us-east-1:111111111111:parameter/tapctl/shop/dev/releases/*') });
  });

  it('reads current and ended in one call; a current written before the end belongs to the destroyed environment', async () => {
    const r = await createRelease(clients, ledger, draft('v1'), 0);
    await setCurrent(clients, ledger, r, 'arn:me');
    expect(await readHead(clients, ledger)).toMatchObject({ current: { ok: true, value: { release: { id: '000001' } } }, currentBeforeEnd: false });
    await markEnded(clients, ledger, { at: new Date().toISOString(), by: 'arn:me', stack: 'TapStack-shop-dev' });
    expect(await readHead(clients, ledger)).toMatchObject({ ended: { stack: 'TapStack-shop-dev' }, currentBeforeEnd: true });
    await setCurrent(clients, ledger, r, 'arn:me');
    expect((await readHead(clients, ledger)).currentBeforeEnd).toBe(false);
  });

  it('a pointer whose copy of the release is broken is reported as invalid', async () => {
    store.set(`${PREFIX}current`, { v: 1, at: 'x', by: 'y', release: { v: 1, id: '000001' } });
    expect((await readHead(clients, ledger)).current).toEqual({ ok: false, reason: 'its release record is invalid: image is missing' });
  });
});

describe('pruning', () => {
  const rel = (n: number, over: Partial<Release> = {}) => ({ ...(releaseRecord(n) as unknown as Release), outcome: 'pushed' as const, ...over });

  it(`keeps the newest ${RELEASES_KEPT} (the ECR lifecycle rule's count) and every protected release, deleting 10 names per call`, async () => {
    const releases = Array.from({ length: 33 }, (_, i) => rel(i + 1));
    seedLedger(store, releases as never);
    const deleted = await pruneReleases(clients, ledger, releases, { written: ['000033'], current: '000002' });
    expect(deleted).toHaveLength(33 - RELEASES_KEPT - 1);
    expect(deleted).not.toContain('000002');
    expect(ssm.commandCalls(DeleteParametersCommand).map((c) => c.args[0].input.Names!.length)).toEqual([10, 10, 2]);
    expect(store.names(`${PREFIX}releases/`)).toHaveLength(RELEASES_KEPT + 1);
    expect(await pruneReleases(clients, ledger, releases.slice(0, RELEASES_KEPT), {})).toEqual([]);
  });

  it('never deletes the current, the running, the newest deployed or the newest healthy release, however old', () => {
    const releases = [
      rel(1, { outcome: 'deployed', rollout: 'healthy' }),
      rel(2, { outcome: 'deployed' }),
      rel(3),
      rel(4),
      ...Array.from({ length: 20 }, (_, i) => rel(i + 5, { outcome: i % 2 ? 'failed' : 'pushed' })),
    ];
    const doomed = prunable(releases, { current: '000003', running: '000004' });
    expect(doomed).not.toEqual(expect.arrayContaining(['000001']));
    expect(doomed).not.toContain('000002');
    expect(doomed).not.toContain('000003');
    expect(doomed).not.toContain('000004');
    expect(doomed.length).toBe(24 - RELEASES_KEPT - 4);
  });
});

describe('the markers', () => {
  it("an `ended` that is not a marker is reported and ignored: it does not silently disable the current release", async () => {
    const r: Release = { v: 1, id: '000001', ...draft('v1') };
    await createRelease(clients, ledger, draft('v1'), 0);
    await setCurrent(clients, ledger, r, 'arn:me');
    store.set(`${PREFIX}ended`, 'garbage');
    const head = await readHead(clients, ledger);
    expect(head.endedInvalid).toBe('not JSON');
    expect(head.ended).toBeUndefined();
    expect(head.currentBeforeEnd).toBe(false);
    expect(head.current).toMatchObject({ ok: true, value: { release: { id: '000001' } } });
  });

  it('a current pointer naming a release the ledger does not hold is invalid, read back or checked against a listing', async () => {
    const r: Release = { v: 1, id: '000009', ...draft('v9') };
    await setCurrent(clients, ledger, r, 'arn:me');
    const head = await readHead(clients, ledger);
    expect(head.current).toEqual({ ok: false, reason: 'it names release 000009, which is not in the ledger (releases/000009)' });
    expect((await readHead(clients, ledger, { releases: [] })).current).toMatchObject({ ok: false });
    expect(await getRelease(clients, ledger, '000009')).toBeUndefined();
  });

  it("the ledger's own record of the current release is the one used, not the pointer's copy", async () => {
    const created = await createRelease(clients, ledger, draft('v1'), 0);
    await setCurrent(clients, ledger, created, 'arn:me');
    await updateRelease(clients, ledger, { ...created, outcome: 'deployed', rollout: 'healthy' });
    const head = await readHead(clients, ledger);
    expect(head.current).toMatchObject({ ok: true, value: { release: { id: '000001', outcome: 'deployed', rollout: 'healthy' } } });
  });
});
