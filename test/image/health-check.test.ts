/**
 * Kind 4 of [6/12], second half: a health check the image cannot run (the default calls curl; distroless has
 * no shell; alpine has wget but no curl) is found from the pushed image's file list (its layers' tar listings
 * read through the registry API), never by running the image.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { mockClient } from 'aws-sdk-client-mock';
import { BatchGetImageCommand, ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { create } from 'tar';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AwsClients } from '../../src/aws/clients.js';
import { loadConfig } from '../../src/config/load.js';
import { checkHealthCommand } from '../../src/image/health-check-step.js';
import { healthCheckFindings, programsOf } from '../../src/image/health-check.js';
import { applyLayer, hasPath, readImageFiles, type ImageFiles, type LayerEntry } from '../../src/image/image-files.js';
import { FakeRegistry } from '../helpers/fake-registry.js';
import { sampleConfig, tempProject } from '../helpers/project.js';

const CURL = 'curl -f http://localhost:3000/health || exit 1';
const files = (layers: LayerEntry[][], searchPath = ['/usr/local/bin', '/usr/bin', '/bin']): ImageFiles => {
  const paths = new Map<string, string | null>();
  for (const l of layers) applyLayer(paths, l);
  return { paths, searchPath };
};
const f = (path: string, link?: string): LayerEntry => ({ path, ...(link ? { link } : {}) });

describe('the health check against a file list', () => {
  it('alpine: a shell and wget (busybox links), no curl: curl is named, with the wget command that works', () => {
    const alpine = files([[f('bin'), f('bin/busybox'), f('bin/sh', '/bin/busybox'), f('usr/bin'), f('usr/bin/wget', '/bin/busybox')]]);
    const findings = healthCheckFindings(CURL, alpine);
    expect(findings.map((x) => x.missing)).toEqual(['curl']);
    expect(findings[0].message).toContain('the container health check runs curl (curl -f http://localhost:3000/health || exit 1), which the image does not have');
    expect(findings[0].message).toContain('it has wget: container.healthCheckCommand: "wget -q -O /dev/null http://localhost:3000/health || exit 1"');
  });

  it('distroless: no /bin/sh, so a CMD-SHELL check cannot run at all', () => {
    const distroless = files([[f('etc'), f('etc/passwd'), f('nodejs'), f('nodejs/bin/node')]]);
    expect(healthCheckFindings(CURL, distroless)).toEqual([{ missing: '/bin/sh', message: expect.stringMatching(/has no \/bin\/sh \(a distroless or scratch image\?\)/) }]);
  });

  it('debian with merged /usr (bin -> usr/bin) and curl: nothing missing', () => {
    const debian = files([[f('usr'), f('usr/bin'), f('usr/bin/sh', 'dash'), f('usr/bin/dash'), f('bin', 'usr/bin')], [f('usr/bin/curl')]]);
    expect(hasPath(debian, '/bin/sh')).toBe(true);
    expect(healthCheckFindings(CURL, debian)).toEqual([]);
  });

  it('a later layer that deletes curl (a whiteout) or empties its directory (opaque) takes it away', () => {
    const base = [f('bin'), f('bin/sh'), f('usr/bin/curl'), f('usr/bin/wget')];
    expect(healthCheckFindings(CURL, files([base, [f('usr/bin/.wh.curl')]])).map((x) => x.missing)).toEqual(['curl']);
    expect(healthCheckFindings('wget -q http://x || exit 1', files([base, [f('usr/bin/.wh..wh..opq'), f('usr/bin/node')]])).map((x) => x.missing)).toEqual(['wget']);
  });

  it("a custom command: each program it calls is looked up on the image's PATH; builtins and env assignments are not programs", () => {
    expect(programsOf('NODE_ENV=production node /app/healthcheck.js && test -f /tmp/ok || exit 1')).toEqual(['node']);
    const node = files([[f('bin/sh'), f('opt/node/bin/node')]], ['/opt/node/bin', '/bin']);
    expect(healthCheckFindings('node /app/healthcheck.js || exit 1', node)).toEqual([]);
    expect(healthCheckFindings('/usr/local/bin/probe --ready', node).map((x) => x.missing)).toEqual(['/usr/local/bin/probe']);
  });
});

describe('the file list of a pushed image, read through the registry API', () => {
  const registry = new FakeRegistry();
  const ecr = mockClient(ECRClient);
  let work: string;

  /** A gzip'd tar of `entries` (a path, or [link, target]), as a builder pushes a layer. */
  async function layer(entries: Array<string | [string, string]>): Promise<Buffer> {
    const dir = mkdtempSync(join(work, 'layer-'));
    for (const e of entries) {
      const path = join(dir, typeof e === 'string' ? e : e[0]);
      mkdirSync(dirname(path), { recursive: true });
      if (typeof e === 'string') writeFileSync(path, 'x');
      else symlinkSync(e[1], path);
    }
    const chunks: Buffer[] = [];
    for await (const c of create({ gzip: true, cwd: dir, portable: true }, ['.'])) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  }

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'tapctl-layers-'));
    await registry.start();
  });
  afterAll(async () => {
    await registry.stop();
    rmSync(work, { recursive: true, force: true });
  });
  afterEach(() => ecr.reset());

  it('applies the layers in order, with their whiteouts, and keeps the PATH of the image config', async () => {
    const base = await layer(['bin/busybox', ['bin/sh', '/bin/busybox'], ['usr/bin/wget', '/bin/busybox'], 'usr/bin/curl']);
    const top = await layer(['usr/bin/.wh.curl', 'app/server.js']);
    const digest = registry.addImage('shop-app-dev', 'v1', { os: 'linux', architecture: 'amd64', env: ['PATH=/app/bin:/usr/bin:/bin'] }, [base, top]);
    const manifest = registry.repositories.get('shop-app-dev')!.manifests.get(digest)!.body;
    const read = await readImageFiles({ endpoint: `http://${registry.host}`, username: 'AWS', password: 'token' }, 'shop-app-dev', manifest);
    expect(read.searchPath).toEqual(['/app/bin', '/usr/bin', '/bin']);
    expect([...read.paths.keys()].filter((p) => !p.endsWith('bin') && p !== 'usr' && p !== 'app').sort()).toEqual(['app/server.js', 'bin/busybox', 'bin/sh', 'usr/bin/wget']);
    expect(read.paths.get('usr/bin/wget')).toBe('/bin/busybox');
  });

  it("checkHealthCommand (push-image's step): the manifest from ECR, the blobs with ECR's token; warns with the finding", async () => {
    const alpine = await layer(['bin/busybox', ['bin/sh', '/bin/busybox'], ['usr/bin/wget', '/bin/busybox']]);
    const digest = registry.addImage('shop-app-dev', 'alpine', { os: 'linux', architecture: 'amd64' }, [alpine]);
    const manifest = registry.repositories.get('shop-app-dev')!.manifests.get(digest)!;
    ecr.on(BatchGetImageCommand, { repositoryName: 'shop-app-dev', imageIds: [{ imageDigest: digest }] }).resolves({ images: [{ imageManifest: manifest.body, imageManifestMediaType: manifest.mediaType }] });
    ecr.on(GetAuthorizationTokenCommand).resolves({ authorizationData: [{ authorizationToken: Buffer.from('AWS:pw').toString('base64'), proxyEndpoint: `http://${registry.host}` }] });
    const project = tempProject(sampleConfig());
    try {
      const env = loadConfig(project.configPath).environments.find((e) => e.name === 'dev')!;
      const repository = { registry: registry.host, name: 'shop-app-dev', uri: `${registry.host}/shop-app-dev` };
      const report = await checkHealthCommand({ clients: new AwsClients({ region: 'us-east-1' }), env, repository, digest });
      expect(report).toMatchObject({ command: 'curl -f http://localhost:3000/health || exit 1', status: 'warn', findings: [expect.stringContaining('runs curl')] });

      ecr.on(BatchGetImageCommand).rejects(Object.assign(new Error('not authorized to perform: ecr:BatchGetImage'), { name: 'AccessDeniedException' }));
      expect(await checkHealthCommand({ clients: new AwsClients({ region: 'us-east-1' }), env, repository, digest })).toMatchObject({ status: 'not-checked', reason: expect.stringContaining('AWS denied access') });
    } finally {
      project.cleanup();
    }
  });
});
