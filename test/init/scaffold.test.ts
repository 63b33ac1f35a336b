/** Rendering and writing the templates, and what the written project contains. */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ExitCode, UsageError } from '../../src/cli/errors.js';
import { loadConfig } from '../../src/config/load.js';
import { DB_ENGINES, PRESETS } from '../../src/config/schema.js';
import type { InitAnswers } from '../../src/init/answers.js';
import { planFiles, scaffold, schemaReference, verifyPlannedConfig } from '../../src/init/scaffold.js';
import { fillPlaceholders, mergeIgnoreFile, SCHEMA_FILE, templateTree } from '../../src/init/templates.js';

const ANSWERS: InitAnswers = {
  project: 'shop',
  preset: 'ecommerce',
  environments: [
    { name: 'dev', kind: 'development', account: '111111111111', region: 'us-east-1' },
    { name: 'staging', kind: 'staging', account: '111111111111', region: 'us-east-1' },
    { name: 'prod', kind: 'production', account: '222222222222', region: 'us-east-1' },
  ],
  email: 'ops@shop.io',
  engine: 'aurora-postgresql',
  architecture: 'x86_64',
  port: 3000,
};

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tapctl-init-'));
  dirs.push(dir);
  return dir;
}

const EXPECTED_FILES = ['tapctl.config.yaml', '.dockerignore', '.gitignore', 'app/package.json', 'app/server.js', 'Dockerfile'];

describe('templates', () => {
  it('ships _gitignore and _dockerignore under their real names', () => {
    const targets = templateTree().map((t) => t.target);
    expect(targets).toEqual(expect.arrayContaining(['.gitignore', '.dockerignore', 'Dockerfile', 'app/server.js', 'app/package.json']));
    expect(targets.filter((t) => t.startsWith('_'))).toEqual([]);
  });

  it('fillPlaceholders refuses a placeholder it has no value for', () => {
    expect(fillPlaceholders('a {{ project }} b', { project: 'shop' }, 't')).toBe('a shop b');
    expect(() => fillPlaceholders('{{nope}}', { project: 'shop' }, 'x.yaml')).toThrow(/x.yaml uses \{\{nope\}\}/);
    expect(() => fillPlaceholders('{{ 1bad }}', {}, 'x.yaml')).toThrow(/malformed placeholder/);
  });

  it.each(PRESETS)('%s: every placeholder of every file is filled', (preset) => {
    const plan = planFiles({ ...ANSWERS, preset }, '/work/projects/shop');
    expect(plan.map((f) => f.path)).toEqual(EXPECTED_FILES);
    for (const f of plan) expect(f.content, f.path).not.toMatch(/\{\{|\}\}/);
  });

  it('points the yaml-language-server comment at the shipped JSON Schema, relative to the project', () => {
    const dir = '/work/projects/shop';
    const config = planFiles(ANSWERS, dir)[0].content;
    const first = config.split('\n')[0];
    expect(first).toBe(`# yaml-language-server: $schema=${schemaReference(dir)}`);
    expect(resolve(dir, schemaReference(dir))).toBe(SCHEMA_FILE);
    expect(SCHEMA_FILE).toMatch(/schema\/tapctl\.config\.schema\.json$/);
    expect(schemaReference('/a', '/a/node_modules/tapctl/schema/s.json')).toBe('./node_modules/tapctl/schema/s.json');
    // Only the editor comment: no $schema key the config would then have to carry.
    expect(config).not.toMatch(/^\$schema:/m);
  });

  it('comments every section of the config', () => {
    const lines = planFiles(ANSWERS, '/p')[0].content.split('\n');
    const sections = lines.flatMap((l, i) => (/^ {0,2}[a-zA-Z$]+:/.test(l) && !/^ {2}(account|region|kind):/.test(l) ? [i] : []));
    expect(sections.length).toBeGreaterThan(12);
    for (const i of sections) expect(lines[i - 1], `comment above '${lines[i]}'`).toMatch(/^\s*#/);
  });

  it('Dockerfile: node 22 alpine with curl for the health check, a non-root user, the port, node server.js', () => {
    const docker = planFiles({ ...ANSWERS, port: 8080 }, '/p').find((f) => f.path === 'Dockerfile')!.content;
    expect(docker).toMatch(/^FROM node:22-alpine$/m);
    expect(docker).toMatch(/health check[\s\S]*\nRUN apk add --no-cache curl\n/);
    expect(docker).toMatch(/^USER node$/m);
    expect(docker).toMatch(/^EXPOSE 8080$/m);
    expect(docker).toMatch(/^CMD \["node", "server.js"\]$/m);
    expect(docker).toMatch(/^COPY app\/ \.\/$/m);
  });

  it('the sample service has no dependencies', () => {
    const pkg = JSON.parse(planFiles(ANSWERS, '/p').find((f) => f.path === 'app/package.json')!.content);
    expect(pkg).toMatchObject({ name: 'shop-service', private: true, scripts: { start: 'node server.js' } });
    expect(pkg.dependencies).toBeUndefined();
  });
});

describe('mergeIgnoreFile', () => {
  const wanted = '# tapctl files\n.tapctl/\nnode_modules/\n';

  it('appends only the missing lines, keeping the file as it was', () => {
    expect(mergeIgnoreFile('dist\nnode_modules\n', wanted)).toBe('dist\nnode_modules\n\n# tapctl files\n.tapctl/\n');
  });
  it('treats /x, x and x/ as the same entry', () => {
    expect(mergeIgnoreFile('/.tapctl\n/node_modules/\n', wanted)).toBeUndefined();
  });
  it('adds a line break to a file that lacks its last one', () => {
    expect(mergeIgnoreFile('dist', wanted)).toBe('dist\n\n# tapctl files\n.tapctl/\nnode_modules/\n');
  });
});

describe('scaffold', () => {
  it('writes every file, and the config loads without errors or warnings', () => {
    const dir = tempDir();
    const { files: written, warnings } = scaffold(ANSWERS, { dir, force: false });
    expect(written).toEqual(EXPECTED_FILES.map((path) => ({ path, action: 'created' })));
    for (const f of EXPECTED_FILES) expect(existsSync(join(dir, f)), f).toBe(true);
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toMatch(/^\.tapctl\/$/m);
    expect(warnings).toEqual([]);
    expect(loadConfig(join(dir, 'tapctl.config.yaml')).errors).toEqual([]);
  });

  it('creates a folder that does not exist yet', () => {
    const dir = join(tempDir(), 'new', 'shop');
    scaffold(ANSWERS, { dir, force: false });
    expect(existsSync(join(dir, 'app', 'server.js'))).toBe(true);
  });

  it('gives dev one NAT gateway and leaves production keeping its data', () => {
    const dir = tempDir();
    scaffold(ANSWERS, { dir, force: false });
    const loaded = loadConfig(join(dir, 'tapctl.config.yaml'));
    const env = (name: string) => loaded.environments.find((e) => e.name === name)!;
    expect(env('dev').network.natGateways).toBe(1);
    expect(env('prod').network.natGateways).toBe(2);
    expect(env('dev').protection.retainData).toBe(false);
    expect(env('prod').protection).toEqual({ deletionProtection: true, retainData: true, terminationProtection: true });
    expect(env('prod').account).toBe('222222222222');
    expect(readFileSync(join(dir, 'tapctl.config.yaml'), 'utf8')).toMatch(/Production keeps its data by default/);
  });

  it.each(PRESETS.flatMap((preset) => DB_ENGINES.map((engine) => [preset, engine] as const)).filter(([p, e]) => p !== 'rds-postgres' || e === 'aurora-postgresql'))(
    '%s with %s validates, also with arm64 (x86_64 for catalog-api: Fargate Spot), another port and region, and one environment',
    (preset, engine) => {
      const dir = tempDir();
      const architecture = preset === 'catalog-api' ? 'x86_64' : 'arm64';
      const { warnings } = scaffold({ ...ANSWERS, preset, engine, architecture, port: 8080, environments: [{ name: 'prod', kind: 'production', account: '222222222222', region: 'eu-north-1' }] }, { dir, force: false });
      // Outside us-east-1 CloudFront's web ACL is an input (waf.webAclArn) that init cannot invent: the one warning.
      expect(warnings.map((w) => w.rule)).toEqual(preset === 'rds-postgres' ? [] : ['WF4']);
      const [env] = loadConfig(join(dir, 'tapctl.config.yaml')).environments;
      // rds-postgres runs no container, so its template has no container settings to fill.
      const container = preset === 'rds-postgres' ? {} : { container: { port: 8080, architecture } };
      expect(env).toMatchObject({ preset, region: 'eu-north-1', database: { engine }, ...container });
    },
  );

  it('refuses to overwrite existing files without --force, listing them, and writes nothing', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\n');
    mkdirSync(join(dir, 'app'));
    writeFileSync(join(dir, 'app', 'server.js'), '// mine\n');
    let error: unknown;
    try {
      scaffold(ANSWERS, { dir, force: false });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).exitCode).toBe(ExitCode.Usage);
    expect((error as UsageError).message).toMatch(/would overwrite 2 files in .*: app\/server.js, Dockerfile$/);
    expect((error as UsageError).hint).toMatch(/--force/);
    expect(readFileSync(join(dir, 'Dockerfile'), 'utf8')).toBe('FROM scratch\n');
    expect(existsSync(join(dir, 'tapctl.config.yaml'))).toBe(false);
  });

  it('overwrites with --force and says so', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\n');
    const { files: written } = scaffold(ANSWERS, { dir, force: true });
    expect(written.find((f) => f.path === 'Dockerfile')?.action).toBe('overwritten');
    expect(readFileSync(join(dir, 'Dockerfile'), 'utf8')).toMatch(/FROM node:22-alpine/);
  });

  it('appends to an existing .gitignore instead of refusing, and leaves a complete one unchanged', () => {
    const dir = tempDir();
    writeFileSync(join(dir, '.gitignore'), 'dist/\nnode_modules/\n');
    const { files: first } = scaffold(ANSWERS, { dir, force: false });
    expect(first.find((f) => f.path === '.gitignore')?.action).toBe('appended');
    const text = readFileSync(join(dir, '.gitignore'), 'utf8');
    expect(text.startsWith('dist/\nnode_modules/\n\n#')).toBe(true);
    expect(text.match(/node_modules/g)).toHaveLength(1);
    expect(text).toMatch(/^\.tapctl\/$/m);
    const { files: again } = scaffold(ANSWERS, { dir, force: true });
    expect(again.find((f) => f.path === '.gitignore')?.action).toBe('unchanged');
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toBe(text);
  });

  it('a config the answers make that does not validate stops init before anything is written (exit 2)', () => {
    const dir = tempDir();
    const plan = [{ path: 'tapctl.config.yaml', content: 'project: shop\nenvironments:\n  dev:\n    account: "1"\n    region: us-east-1\n', mode: 'write' as const }];
    expect(() => verifyPlannedConfig(plan, dir)).toThrow(UsageError);
    expect(() => verifyPlannedConfig(plan, dir)).toThrow(/these answers make a tapctl.config.yaml that does not validate; nothing was written:\n  tapctl.config.yaml:4:/);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('the sample service', () => {
  it('answers /health and /api/hello, 404s the rest, and stops cleanly on SIGTERM', async () => {
    const dir = tempDir();
    scaffold(ANSWERS, { dir, force: false });
    const child = spawn(process.execPath, ['server.js'], { cwd: join(dir, 'app'), env: { PATH: process.env.PATH, PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    try {
      const port = await new Promise<number>((done, fail) => {
        let out = '';
        child.stdout.on('data', (d) => {
          out += d;
          const m = /"msg":"listening","port":(\d+)/.exec(out);
          if (m) done(Number(m[1]));
        });
        child.on('exit', () => fail(new Error(`server exited early: ${out}`)));
      });
      const get = async (path: string) => {
        const res = await fetch(`http://127.0.0.1:${port}${path}`);
        return { status: res.status, type: res.headers.get('content-type'), body: (await res.json()) as Record<string, unknown> };
      };
      expect(await get('/health')).toEqual({ status: 200, type: 'application/json; charset=utf-8', body: { status: 'ok' } });
      expect(await get('/api/hello')).toMatchObject({ status: 200, body: { message: 'hello from shop' } });
      expect(await get('/nope')).toMatchObject({ status: 404, body: { error: 'not found', path: '/nope' } });
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
