/** The pure parts of previews: tags and their encoding, names, --ttl, live branches, and the one derivation. */
import { describe, expect, it } from 'vitest';
import { domainOf } from '../../src/config/edge.js';
import { loadConfig } from '../../src/config/load.js';
import { checkNameList } from '../../src/config/naming.js';
import { nameChecksOf } from '../../src/config/presets/index.js';
import { PRESET_RULES } from '../../src/config/rules/index.js';
import { EMPTY_CONTEXT } from '../../src/config/rules/rule.js';
import type { ResolvedEnvironment } from '../../src/config/resolve.js';
import { parseLiveBranches } from '../../src/preview/branch.js';
import { checkPinnedImage } from '../../src/deploy/image-checks.js';
import { previewEnvironment } from '../../src/preview/derive.js';
import { renderList } from '../../src/preview/render.js';
import { pinOrigin, unresolvedImage } from '../../src/release/running-image.js';
import { checkPreviewName, looksLikePreviewName, maxPreviewNameLength } from '../../src/preview/name.js';
import type { PreviewRecord } from '../../src/preview/record.js';
import { branchTagValue, decodeTagValue, encodeTagValue, isPreviewOf, previewStackTags, readPreviewTags } from '../../src/preview/tags.js';
import { formatDuration, parseTtl } from '../../src/preview/ttl.js';
import { sampleConfig, tempProject } from '../helpers/project.js';

const RECORD: PreviewRecord = {
  name: 'pr-12',
  source: 'dev',
  branch: 'feature/cart+tax ünïcode#1',
  creator: 'arn:aws:sts::111111111111:assumed-role/ci-deploy/GitHubActions',
  ciActor: 'octocat',
  createdAt: '2026-11-29T10:00:00.000Z',
  expiresAt: '2026-12-02T10:00:00.000Z',
  image: '111111111111.dkr.ecr.us-east-1.amazonaws.com/shop-app-dev@sha256:' + 'a'.repeat(64),
};

function environments(config: Record<string, unknown> = sampleConfig()): ResolvedEnvironment[] {
  const project = tempProject(config);
  try {
    const loaded = loadConfig(project.configPath);
    expect(loaded.errors).toEqual([]);
    return [...loaded.environments];
  } finally {
    project.cleanup();
  }
}

const asTags = (tags: Record<string, string>) => Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));

describe('stack tags', () => {
  it('hold the whole record and read back exactly, whatever the branch holds', () => {
    const tags = previewStackTags('shop', RECORD);
    expect(tags).toMatchObject({ 'tapctl:preview': 'pr-12', 'tapctl:project': 'shop', 'tapctl:source': 'dev', 'tapctl:expires': RECORD.expiresAt });
    // Only the characters the strictest services allow in a tag value, each value within 256.
    for (const value of Object.values(tags)) {
      expect(value).toMatch(/^[A-Za-z0-9 _.:/=+@-]{1,256}$/);
    }
    expect(readPreviewTags(asTags(tags))).toEqual({ ok: true, record: RECORD });
  });

  it('encode every character outside the safe set, and + itself, reversibly', () => {
    for (const text of ['plain-branch_1.2', 'a+b', 'ü/ñ#é', 'tab\there', '+2B', '']) expect(decodeTagValue(encodeTagValue(text))).toBe(text);
    expect(encodeTagValue('a+b#')).toBe('a+2Bb+23');
  });

  it('a branch too long for a tag is kept as its hash, which live branches are compared in', () => {
    const long = 'feature/' + 'x'.repeat(300);
    const value = branchTagValue(long);
    expect(value).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(branchTagValue(long)).toBe(value);
    expect(previewStackTags('shop', { ...RECORD, branch: long })['tapctl:branch']).toBe(value);
  });

  it('a preview needs the project tag AND the marker', () => {
    expect(isPreviewOf(asTags({ 'tapctl:project': 'shop', 'tapctl:preview': 'pr-1' }), 'shop')).toBe(true);
    expect(isPreviewOf(asTags({ 'tapctl:project': 'shop' }), 'shop')).toBe(false);
    expect(isPreviewOf(asTags({ 'tapctl:preview': 'pr-1' }), 'shop')).toBe(false);
    expect(isPreviewOf(asTags({ 'tapctl:project': 'other', 'tapctl:preview': 'pr-1' }), 'shop')).toBe(false);
    expect(isPreviewOf(asTags({ 'tapctl:project': 'shop', 'tapctl:preview': '' }), 'shop')).toBe(false);
  });

  it('an unreadable expiry is reported, never guessed', () => {
    const tags = { ...previewStackTags('shop', RECORD), 'tapctl:expires': 'soon' };
    expect(readPreviewTags(asTags(tags))).toMatchObject({ ok: false, name: 'pr-12', problem: expect.stringContaining('tapctl:expires') });
  });
});

describe('--ttl', () => {
  it.each([['90m', 90 * 60_000], ['1h', 3_600_000], ['3d', 3 * 86_400_000], ['30d', 30 * 86_400_000]])('%s', (text, ms) => expect(parseTtl(text)).toBe(ms));
  it.each(['5m', '59m', '31d', '3', 'd', '1.5h', '3w', '-1h', ''])('refuses %j (exit 2)', (text) => {
    expect(() => parseTtl(text)).toThrow(expect.objectContaining({ exitCode: 2 }));
  });
  it('formats what is left', () => expect([formatDuration(35 * 60_000), formatDuration(3 * 3_600_000 + 5 * 60_000), formatDuration(2 * 86_400_000 + 4 * 3_600_000)]).toEqual(['35m', '3h 5m', '2d 4h']));
});

describe('preview names', () => {
  const envs = environments();
  const dev = envs.find((e) => e.name === 'dev')!;

  it.each([['PR-1', /not a valid preview name/], ['pr_1', /not a valid/], ['pr--1', /not a valid/], ['1pr', /not a valid/], ['pr-', /not a valid/]])('%s is refused', (name, says) => {
    expect(() => checkPreviewName(name, dev, envs)).toThrow(says);
  });

  it.each(['prod', 'production', 'dev', 'staging', 'all', 'prod-fix', 'hotfix-live'])('%s is reserved', (name) => {
    expect(() => checkPreviewName(name, dev, envs)).toThrow(/is reserved/);
  });

  it("a configured environment's name or suffix is refused", () => {
    const withSuffix = environments(sampleConfig({ environments: { dev: { account: '111111111111', region: 'us-east-1' }, qa: { account: '111111111111', region: 'us-east-1', suffix: 'pr-7' } } }));
    expect(() => checkPreviewName('qa', withSuffix[0], withSuffix)).toThrow(/the name of environment 'qa'/);
    expect(() => checkPreviewName('pr-7', withSuffix[0], withSuffix)).toThrow(/the suffix of environment 'qa'/);
  });

  it('the bound comes from the naming limits of the project: with 20 characters, pr-9999 fits and pr-10000 does not', () => {
    const longest = environments(sampleConfig({ project: 'abcdefghijklmnopqrst' }));
    const source = longest.find((e) => e.name === 'dev')!;
    expect(maxPreviewNameLength(source)).toBe(7);
    expect(() => checkPreviewName('pr-9999', source, longest)).not.toThrow();
    expect(() => checkPreviewName('pr-10000', source, longest)).toThrow(/is 8 characters; with project 'abcdefghijklmnopqrst' \(ecommerce\) a preview name may have at most 7/);
    // With 19, five digits fit.
    const nineteen = environments(sampleConfig({ project: 'abcdefghijklmnopqrs' })).find((e) => e.name === 'dev')!;
    expect(maxPreviewNameLength(nineteen)).toBe(8);
    expect(checkNameList(nameChecksOf(nineteen, 'pr-99999'))).toEqual([]);
  });

  it('only a name that could be a preview is worth an AWS call', () => {
    expect(looksLikePreviewName('pr-1')).toBe(true);
    for (const name of ['Dev', 'e'.repeat(100_000), '\u001b[2Jdev', 'a_b']) expect(looksLikePreviewName(name)).toBe(false);
  });
});

describe('live branches', () => {
  it('one per line; git ls-remote --heads output and refs/heads/ are read as branches; comments and blanks skipped', () => {
    const text = '# live\nmain\n\n  feature/x  \n3f2c1ab9\trefs/heads/feature/y\nrefs/heads/release/1.0\nmain\n';
    expect(parseLiveBranches(text)).toEqual(['main', 'feature/x', 'feature/y', 'release/1.0']);
  });
});

describe('previewEnvironment: the one derivation', () => {
  const envs = environments(sampleConfig({ environments: { dev: { account: '111111111111', region: 'us-east-1', network: { natGateways: 2, maxAzs: 3 }, container: { image: { tag: 'v9' } } }, prod: { account: '222222222222', region: 'us-east-1' } } }));
  const dev = envs.find((e) => e.name === 'dev')!;
  const preview = previewEnvironment(dev, { ...RECORD, image: undefined });

  it('takes the source with non-production rules, its own names and the smallest sizes', () => {
    expect(preview).toMatchObject({
      name: 'pr-12',
      kind: 'development',
      suffix: 'pr-12',
      account: dev.account,
      region: dev.region,
      protection: { deletionProtection: false, retainData: false, terminationProtection: false },
      network: { maxAzs: 2, natGateways: 1, availabilityZones: dev.network.availabilityZones.slice(0, 2) },
      container: { minTasks: 1, maxTasks: 1, cpu: dev.container.cpu, memory: dev.container.memory },
      // aurora-postgresql 16.4 pauses at 0 ACUs.
      database: { minCapacity: 0, maxCapacity: 1, readers: 0, backupRetentionDays: 1 },
      preview: { name: 'pr-12', source: 'dev' },
    });
    expect(preview.names).toMatchObject({ stack: 'TapStack-shop-pr-12', ecrRepository: 'shop-app-pr-12', loadBalancer: 'shop-alb-pr-12' });
    // Never the source's pin: the preview runs what env create pushed.
    expect(preview.container.image).toEqual({});
    expect(Object.isFrozen(preview) && Object.isFrozen(preview.database)).toBe(true);
    // The source is left as it was.
    expect(dev.network.natGateways).toBe(2);
  });

  it('runs --image as a pin, and is the same whoever derives it', () => {
    const pinned = previewEnvironment(dev, RECORD);
    expect(pinned.container.image).toEqual({ repository: '111111111111.dkr.ecr.us-east-1.amazonaws.com/shop-app-dev', digest: 'sha256:' + 'a'.repeat(64) });
    expect(JSON.stringify(previewEnvironment(dev, RECORD))).toBe(JSON.stringify(pinned));
  });

  it("never takes its source's domain: no name, certificate or record of the source's (qa3 P2 #4)", () => {
    const zone = { name: 'shop.example.com', hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com', api: true };
    const withDomain = environments(sampleConfig({ environments: { dev: { account: '111111111111', region: 'us-east-1', domain: zone } } })).find((e) => e.name === 'dev')!;
    expect(domainOf(withDomain)).toBeDefined();
    const built = previewEnvironment(withDomain, RECORD);
    expect(built.domain).toBeUndefined();
    expect(domainOf(built)).toBeUndefined();
    const errors = PRESET_RULES[built.preset].flatMap((rule) => rule(built, EMPTY_CONTEXT)).filter((i) => i.severity === 'error');
    expect(errors).toEqual([]);
  });

  it("an image the person gave with --image is named as --image in the image checks, never as the config's container.image (qa3 P3 #2)", async () => {
    const pinned = previewEnvironment(dev, { ...RECORD, image: 'ghcr.io/acme/shop:v404' });
    expect(pinOrigin(pinned)).toMatchObject({ name: '--image', fix: expect.stringContaining('give env create pr-12 an --image that exists') });
    expect(pinOrigin(dev).name).toBe('container.image');
    expect(unresolvedImage(pinned, 'no credentials').plan.from).toBe('--image of env create pr-12');
    const notFound = async () => new Response('{"errors":[{"code":"MANIFEST_UNKNOWN"}]}', { status: 404, headers: { 'content-type': 'application/json' } });
    const plan = unresolvedImage(pinned, 'x').plan;
    const error = await checkPinnedImage({} as never, pinned, plan, { fetch: notFound as typeof fetch }).catch((e: unknown) => e);
    expect(error).toMatchObject({ message: expect.stringContaining('ghcr.io/acme/shop:v404, pinned in --image, does not exist'), hint: expect.stringContaining('give env create pr-12 an --image that exists') });
    expect(`${(error as Error).message} ${(error as { hint?: string }).hint}`).not.toContain('tapctl.config.yaml');
  });

  it('an engine version without auto-pause gets 0.5 ACUs', () => {
    const old = environments(sampleConfig({ defaults: { alarms: { email: 'ops@shop.test' }, database: { version: '15.4' } } })).find((e) => e.name === 'dev')!;
    expect(previewEnvironment(old, RECORD).database.minCapacity).toBe(0.5);
  });

  it.each(['ecommerce', 'catalog-api', 'rds-postgres'])('%s: the preview passes every rule of its preset', (preset) => {
    const source = environments(sampleConfig({ preset })).find((e) => e.name === 'dev')!;
    const env = previewEnvironment(source, { ...RECORD, image: undefined });
    const errors = PRESET_RULES[env.preset].flatMap((rule) => rule(env, EMPTY_CONTEXT)).filter((i) => i.severity === 'error');
    expect(errors).toEqual([]);
  });
});

describe('env list, as text', () => {
  const plain = { bold: (t: string) => t, dim: (t: string) => t, good: (t: string) => t, bad: (t: string) => t, warn: (t: string) => t, accent: (t: string) => t, code: (t: string) => t };
  it('tells an emulated account from the real one, and shows a configured row\'s own note (qa3 P3 #13, P2 #11)', () => {
    const text = renderList(
      {
        project: 'shop',
        environments: [
          { name: 'dev', origin: 'config', kind: 'development', account: '123456789012', region: 'us-east-1', endpoint: 'http://localhost:4566', stack: 'TapStack-shop-dev', status: 'CREATE_COMPLETE', note: "its stack is tagged as preview 'dev'; it is environment 'dev' of tapctl.config.yaml: env sweep never deletes it" },
          { name: 'prod', origin: 'config', kind: 'production', account: '123456789012', region: 'us-east-1', stack: 'TapStack-shop-prod', status: 'UNKNOWN', note: 'not checked: no credentials' },
        ],
        accounts: [
          { account: '123456789012', region: 'us-east-1', endpoint: 'http://localhost:4566', checked: true },
          { account: '123456789012', region: 'us-east-1', checked: false, note: 'not checked: no credentials' },
        ],
      },
      plain,
    );
    expect(text).toMatch(/dev\s+config\s+development\s+123456789012\/us-east-1 @localhost:4566\s+CREATE_COMPLETE/);
    expect(text).toContain('env sweep never deletes it');
    expect(text).toContain('! 123456789012/us-east-1: not checked: no credentials');
  });
});
