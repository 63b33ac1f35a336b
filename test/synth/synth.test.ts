/**
 * tapctl synth through the spawned binary: a standard cloud assembly, offline, no temp folders left behind,
 * a cache that is used when nothing changed and dropped when something did, and an --out that never deletes
 * a user's files.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, spawnTapctl } from '../helpers/cli.js';
import { sampleConfig, tempProject, type TempProject } from '../helpers/project.js';

const NO_NETWORK = fileURLToPath(new URL('../helpers/no-network.mjs', import.meta.url));
let project: TempProject;
let tmp: string;

beforeAll(() => {
  project = tempProject();
  tmp = mkdtempSync(join(tmpdir(), 'tapctl-synth-tmp-'));
});
afterAll(() => {
  project.cleanup();
  rmSync(tmp, { recursive: true, force: true });
});

const synth = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnTapctl(['synth', '--env', 'dev', '--json', ...args], { cwd: project.dir, env: cleanEnv({ TMPDIR: tmp, ...env }) });

describe('tapctl synth', () => {
  it('writes a standard cloud assembly offline: no socket, no DNS lookup, no credentials', async () => {
    const networkLog = join(tmp, '..', `tapctl-network-${process.pid}.log`);
    const r = await synth(['--no-cache'], { NODE_OPTIONS: `--import=${NO_NETWORK}`, TAPCTL_NETWORK_LOG: networkLog });
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(networkLog) ? readFileSync(networkLog, 'utf8') : '').toBe('');
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ environment: 'dev', stackName: 'TapStack-shop-dev', cached: false, needsBootstrapBucket: true });
    expect(doc.resourceCount).toBeGreaterThan(100);
    // The spec's 24 and tapctl's LogGroups.
    expect(doc.outputs).toHaveLength(25);
    const manifest = JSON.parse(readFileSync(join(project.dir, '.tapctl', 'dev', 'cdk.out', 'manifest.json'), 'utf8'));
    expect(manifest.artifacts['TapStack-shop-dev'].type).toBe('aws:cloudformation:stack');
    expect(manifest.artifacts['TapStack-shop-dev'].environment).toBe('aws://111111111111/us-east-1');
  });

  it('leaves no temporary folder behind', async () => {
    const before = readdirSync(tmp);
    const r = await synth(['--no-cache']);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(tmp)).toEqual(before);
  });

  it('reuses the last assembly when nothing changed, and synthesizes again when the config changes', async () => {
    await synth([]);
    const cached = JSON.parse((await synth([])).stdout);
    expect(cached.cached).toBe(true);
    expect(JSON.parse((await synth(['--no-cache'])).stdout).cached).toBe(false);

    writeFileSync(project.configPath, stringify(sampleConfig({ defaults: { alarms: { email: 'ops@shop.test' }, container: { port: 8080 } } })));
    const changed = JSON.parse((await synth([])).stdout);
    expect(changed.cached).toBe(false);
    const template = readFileSync(changed.templatePath, 'utf8');
    expect(template).toContain('"ContainerPort": 8080');
    expect(JSON.parse((await synth([])).stdout).cached).toBe(true);
  });

  it('--out never deletes files: a folder with other content, or a file, is refused (exit 2)', async () => {
    const mine = join(project.dir, 'app');
    mkdirSync(mine, { recursive: true });
    writeFileSync(join(mine, 'server.js'), 'keep me');
    const intoApp = await synth(['--out', 'app']);
    expect(intoApp.code).toBe(2);
    expect(intoApp.stderr).toMatch(/refusing to write the cloud assembly into '.*app': it holds files tapctl did not write \('server.js'\)/);
    expect(readFileSync(join(mine, 'server.js'), 'utf8')).toBe('keep me');

    const intoProject = await synth(['--out', '.']);
    expect(intoProject.code).toBe(2);
    expect(existsSync(project.configPath)).toBe(true);

    const intoFile = await synth(['--out', 'tapctl.config.yaml']);
    expect(intoFile.code).toBe(2);
    expect(intoFile.stderr).toMatch(/it is a file/);
  });

  it('Ctrl-C during synthesis ends the command with exit 130', async () => {
    const { spawn } = await import('node:child_process');
    const { BIN } = await import('../helpers/cli.js');
    const child = spawn(process.execPath, [BIN, 'synth', '--env', 'prod', '--no-cache', '--verbose'], { cwd: project.dir, env: cleanEnv({ TMPDIR: tmp }) });
    let stderr = '';
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    // The SIGINT handler is installed before any command runs; the debug line comes just before the synchronous
    // synthesis (a second or more), so the signal lands during it, however slow the machine.
    await new Promise<void>((resolve) =>
      child.stderr.on('data', (d) => {
        stderr += d;
        if (stderr.includes('synthesizing TapStack-shop-prod into')) resolve();
      }),
    );
    child.kill('SIGINT');
    expect(await closed, stderr).toBe(130);
    expect(stderr).toMatch(/interrupted; the cloud assembly was written but nothing else was done/);
  });

  it('--out reuses a folder that holds an earlier assembly', async () => {
    const out = join(project.dir, 'assembly');
    expect((await synth(['--out', 'assembly', '--no-cache'])).code).toBe(0);
    const again = await synth(['--out', 'assembly', '--no-cache']);
    expect(again.code, again.stderr).toBe(0);
    expect(existsSync(join(out, 'manifest.json'))).toBe(true);
  });

  it('--out refuses a folder that merely looks like an assembly (manifest.json beside a web page), and deletes nothing', async () => {
    const site = join(project.dir, 'public');
    mkdirSync(site, { recursive: true });
    writeFileSync(join(site, 'manifest.json'), '{"name":"my web app"}');
    writeFileSync(join(site, 'index.html'), '<h1>keep me</h1>');
    const r = await synth(['--out', 'public']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/it holds files tapctl did not write \('index.html', 'manifest.json'\)/);
    expect(readdirSync(site).sort()).toEqual(['index.html', 'manifest.json']);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, error: { exitCode: 2 } });
  });

  it("--out refuses tapctl's own earlier assembly once a user file was added to it", async () => {
    expect((await synth(['--out', 'mixed', '--no-cache'])).code).toBe(0);
    writeFileSync(join(project.dir, 'mixed', 'notes.txt'), 'mine');
    const r = await synth(['--out', 'mixed']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/besides tapctl's assembly it holds other files \('notes.txt'\)/);
    expect(readFileSync(join(project.dir, 'mixed', 'notes.txt'), 'utf8')).toBe('mine');
  });

  it('an edited cached template is not reused: one warning, then a fresh synthesis', async () => {
    const first = JSON.parse((await synth([])).stdout);
    const original = readFileSync(first.templatePath, 'utf8');
    writeFileSync(first.templatePath, original.replace('"ContainerPort"', '"ContainerPort" ').replace(/TapStack/, 'Tampered'));
    const r = await synth([]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).cached).toBe(false);
    expect(r.stderr.match(/not reusing the cached cloud assembly in .*: TapStack-shop-dev.template.json was changed since tapctl wrote it/g)).toHaveLength(1);
    expect(readFileSync(first.templatePath, 'utf8')).toBe(original);
  });

  it('a cache entry rewritten with its hash cannot point the template outside the assembly', async () => {
    await synth([]);
    const entryPath = join(project.dir, '.tapctl', 'dev', 'cdk.out', 'tapctl-synth.json');
    const entry = JSON.parse(readFileSync(entryPath, 'utf8'));
    entry.data.templateFile = '../../../tapctl.config.yaml';
    entry.data.files['../../../tapctl.config.yaml'] = 'x';
    const { contentHash } = await import('../../src/state/verified-cache.js');
    writeFileSync(entryPath, JSON.stringify({ ...entry, sha256: contentHash(entry.data) }));
    const r = await synth([]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ cached: false, templatePath: expect.stringMatching(/cdk\.out\/TapStack-shop-dev\.template\.json$/) });
    expect(r.stderr).toMatch(/its template is not a file of the assembly/);
  });

  it('a forged cache entry (template edited, every hash computed again) is not reused: only this user\'s signed entry is', async () => {
    const first = JSON.parse((await synth([])).stdout);
    const entryPath = join(project.dir, '.tapctl', 'dev', 'cdk.out', 'tapctl-synth.json');
    writeFileSync(first.templatePath, readFileSync(first.templatePath, 'utf8').replace(/TapStack/, 'Forged'));
    const entry = JSON.parse(readFileSync(entryPath, 'utf8'));
    expect(typeof entry.data.signature).toBe('string');
    const { assemblyFiles } = await import('../../src/synth/assembly-dir.js');
    const { contentHash } = await import('../../src/state/verified-cache.js');
    entry.data.files = assemblyFiles(join(project.dir, '.tapctl', 'dev', 'cdk.out'));
    writeFileSync(entryPath, JSON.stringify({ ...entry, sha256: contentHash(entry.data) }));
    const r = await synth([]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).cached).toBe(false);
    expect(r.stderr).toMatch(/its signature is not this user's tapctl's; synthesizing again/);
    expect(readFileSync(first.templatePath, 'utf8')).not.toMatch(/Forged/);
  });

  it("a half-written assembly in tapctl's own folder (only asset.* left by a killed synth) recovers by itself", async () => {
    await synth([]);
    const own = join(project.dir, '.tapctl', 'dev', 'cdk.out');
    for (const name of readdirSync(own)) if (!name.startsWith('asset.')) rmSync(join(own, name), { recursive: true });
    expect(readdirSync(own).length).toBeGreaterThan(0);
    const r = await synth([]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).cached).toBe(false);
    expect(existsSync(join(own, 'manifest.json'))).toBe(true);
  });
});
