/**
 * Everything in .tapctl/ is a cache: verified before use, ignored with one warning and rebuilt when wrong, and
 * never what decides which image a task definition runs.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import type { ResolvedEnvironment } from '../../src/config/resolve.js';
import { resolveImage } from '../../src/deploy/image.js';
import { contentHash, readVerified, writeVerified } from '../../src/state/verified-cache.js';
import { pushedImageFile, writePushedImage, type PushedImage } from '../../src/state/work-dir.js';
import { sampleConfig, tempProject, type TempProject } from '../helpers/project.js';

let project: TempProject;
afterEach(() => project?.cleanup());

const accept = () => undefined;

describe('verified cache files', () => {
  it('returns what was written, and nothing for a missing file', () => {
    project = tempProject();
    const path = join(project.dir, '.tapctl', 'x.json');
    expect(readVerified(path, accept)).toBeUndefined();
    writeVerified(path, { a: 1, list: ['b'] });
    expect(readVerified(path, accept)).toEqual({ a: 1, list: ['b'] });
  });

  it.each([
    ['not JSON', () => '{ half', /it is not valid JSON/],
    ['no envelope of this format', () => JSON.stringify({ tapctlCache: 99, sha256: 'x', data: {} }), /it is not a tapctl cache file/],
    ['edited data, old hash', () => JSON.stringify({ tapctlCache: 1, sha256: contentHash({ a: 1 }), data: { a: 2 } }), /does not match its hash/],
    ['a JSON array', () => '[1,2]', /it is not a tapctl cache file/],
  ])('a file that is %s is a miss, reported once', (_what, content, reason) => {
    project = tempProject();
    const path = join(project.dir, '.tapctl', 'x.json');
    mkdirSync(join(project.dir, '.tapctl'));
    writeFileSync(path, content());
    const warnings: string[] = [];
    expect(readVerified(path, accept, { onInvalid: (m) => warnings.push(m) })).toBeUndefined();
    expect(readVerified(path, accept, { onInvalid: (m) => warnings.push(m) })).toBeUndefined();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(reason);
    expect(warnings[0]).toMatch(/it is a cache and will be rebuilt/);
  });

  it("data the caller's check refuses is a miss, with the caller's reason", () => {
    project = tempProject();
    const path = join(project.dir, '.tapctl', 'x.json');
    writeVerified(path, { n: -1 });
    const warnings: string[] = [];
    expect(readVerified(path, (d) => ((d as { n: number }).n < 0 ? 'its n is negative' : undefined), { onInvalid: (m) => warnings.push(m), label: 'x.json' })).toBeUndefined();
    expect(warnings).toEqual(['ignoring x.json: its n is negative; it is a cache and will be rebuilt']);
  });

  it('a folder, or a FIFO, in place of a cache file is a miss at once, never a hang', () => {
    project = tempProject();
    const dir = join(project.dir, '.tapctl');
    mkdirSync(join(dir, 'folder.json'), { recursive: true });
    execFileSync('mkfifo', [join(dir, 'fifo.json')]);
    const warnings: string[] = [];
    expect(readVerified(join(dir, 'folder.json'), accept, { onInvalid: (m) => warnings.push(m) })).toBeUndefined();
    expect(readVerified(join(dir, 'fifo.json'), accept, { onInvalid: (m) => warnings.push(m) })).toBeUndefined();
    expect(warnings.join('\n')).toMatch(/a folder, not a file[\s\S]*a named pipe \(FIFO\), not a file/);
  });
});

describe('the push-image record (image.json) never puts a foreign image into a task definition', () => {
  const DIGEST = `sha256:${'c'.repeat(64)}`;
  const good: PushedImage = { repositoryUri: '111111111111.dkr.ecr.us-east-1.amazonaws.com/shop-app-dev', tag: 'v3', digest: DIGEST, platform: 'linux/amd64', pushedAt: '2026-11-20T10:00:00.000Z' };
  const devEnv = (config = sampleConfig()): ResolvedEnvironment => {
    project = tempProject(config);
    return loadConfig(project.configPath).environments.find((e) => e.name === 'dev')!;
  };
  const plan = (env: ResolvedEnvironment) => {
    const warnings: string[] = [];
    const { env: withImage, image } = resolveImage(env, project.dir, (m) => warnings.push(m));
    return { image, containerImage: withImage.container.image, warnings };
  };

  it('an intact record of the own repository is what deploy runs', () => {
    const env = devEnv();
    writePushedImage(project.dir, 'dev', good);
    const { image, containerImage, warnings } = plan(env);
    expect(image).toMatchObject({ source: 'push-image', tag: 'v3', digest: DIGEST });
    expect(containerImage).toEqual({ tag: 'v3', digest: DIGEST });
    expect(warnings).toEqual([]);
  });

  it.each([
    ['another registry', { repositoryUri: 'evil.example.com/shop-app-dev' }, /its registry is not an ECR registry/],
    ['another account', { repositoryUri: '999999999999.dkr.ecr.us-east-1.amazonaws.com/shop-app-dev' }, /its registry is not the one of account 111111111111 in us-east-1/],
    ['another region', { repositoryUri: '111111111111.dkr.ecr.eu-west-1.amazonaws.com/shop-app-dev' }, /not the one of account 111111111111 in us-east-1/],
    ['another repository', { repositoryUri: '111111111111.dkr.ecr.us-east-1.amazonaws.com/other-app' }, /its repository is not shop-app-dev/],
    ['a tag that is no tag', { tag: 'v1; rm -rf /' }, /its tag is not a valid image tag/],
    ['a digest that is no digest', { digest: 'sha256:nope' }, /its digest is not a sha256 digest/],
    ['a missing field', { platform: undefined }, /its platform is missing/],
  ])('a record naming %s is ignored with a warning', (_what, change, reason) => {
    const env = devEnv();
    writePushedImage(project.dir, 'dev', { ...good, ...change } as PushedImage);
    const { image, containerImage, warnings } = plan(env);
    expect(image.source).toBe('none');
    expect(containerImage).toEqual({});
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(reason);
  });

  it('garbage, or a record edited without its hash, is ignored with a warning', () => {
    const env = devEnv();
    mkdirSync(join(project.dir, '.tapctl', 'dev'), { recursive: true });
    writeFileSync(pushedImageFile(project.dir, 'dev'), 'registry: anything\n');
    expect(plan(env)).toMatchObject({ image: { source: 'none' }, warnings: [expect.stringMatching(/not valid JSON/)] });

    writePushedImage(project.dir, 'dev', good);
    const file = JSON.parse(readFileSync(pushedImageFile(project.dir, 'dev'), 'utf8'));
    file.data.repositoryUri = 'evil.example.com/x';
    writeFileSync(pushedImageFile(project.dir, 'dev'), JSON.stringify(file));
    expect(plan(env)).toMatchObject({ image: { source: 'none' }, warnings: [expect.stringMatching(/does not match its hash/)] });
  });

  it('an emulated environment (endpoint) may record its own registry host', () => {
    const base = sampleConfig();
    const env = devEnv({ ...base, environments: { dev: { account: '111111111111', region: 'us-east-1', endpoint: 'http://127.0.0.1:4566' } } });
    writePushedImage(project.dir, 'dev', { ...good, repositoryUri: '127.0.0.1:5000/shop-app-dev' });
    expect(plan(env).image).toMatchObject({ source: 'push-image', repository: '127.0.0.1:5000/shop-app-dev' });
  });
});

describe('image.json written before caches had a hash', () => {
  it('is still read, through the same checks: an intact record is used, garbage is refused with a warning', () => {
    project = tempProject();
    const env = loadConfig(project.configPath).environments.find((e) => e.name === 'dev')!;
    mkdirSync(join(project.dir, '.tapctl', 'dev'), { recursive: true });
    const record = { repositoryUri: '111111111111.dkr.ecr.us-east-1.amazonaws.com/shop-app-dev', tag: 'v2', digest: `sha256:${'d'.repeat(64)}`, platform: 'linux/amd64', pushedAt: '2026-11-01T00:00:00.000Z' };
    writeFileSync(pushedImageFile(project.dir, 'dev'), JSON.stringify(record));
    const warnings: string[] = [];
    expect(resolveImage(env, project.dir, (m) => warnings.push(m)).image).toMatchObject({ source: 'push-image', tag: 'v2' });
    writeFileSync(pushedImageFile(project.dir, 'dev'), JSON.stringify({ repositoryUri: 'evil.example.com/x', tag: 'pwned' }));
    expect(resolveImage(env, project.dir, (m) => warnings.push(m)).image.source).toBe('none');
    expect(warnings).toEqual([expect.stringMatching(/ignoring \.tapctl\/dev\/image\.json: its digest is missing/)]);
  });
});
