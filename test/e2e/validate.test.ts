/** The spawned binary, as a user or a CI job runs it: stdout, stderr and exit codes. */
import { afterEach, describe, expect, it } from 'vitest';
import { sampleConfig, tempProject, type TempProject } from '../helpers/project.js';
import { cleanEnv, spawnTapctl } from '../helpers/cli.js';

let project: TempProject | undefined;
afterEach(() => project?.cleanup());

describe('tapctl validate (spawned)', () => {
  it('passes a valid three-environment config with exit 0', async () => {
    project = tempProject();
    const r = await spawnTapctl(['validate'], { cwd: project.dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/valid: 0 errors, 0 warnings in tapctl.config.yaml \(dev, staging, prod\)/);
  });

  it('finds the config in a parent folder', async () => {
    project = tempProject();
    const { mkdirSync } = await import('node:fs');
    mkdirSync(`${project.dir}/app/src`, { recursive: true });
    const r = await spawnTapctl(['validate'], { cwd: `${project.dir}/app/src` });
    expect(r.code).toBe(0);
  });

  it('reports every error as file:line:col  path  message, then exits 2 without a stack trace', async () => {
    project = tempProject(sampleConfig({ environments: { dev: { account: '111111111111', region: 'us-east-1', container: { cpu: 1024, memory: 512 }, database: { minCapacity: 4 } } } }));
    const r = await spawnTapctl(['validate'], { cwd: project.dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/tapctl.config.yaml:\d+:\d+  environments.dev.container.memory  Fargate does not pair 512 MiB with 1024 CPU units/);
    expect(r.stdout).toMatch(/environments.dev.database.minCapacity  minimum capacity 4 ACUs is above the maximum 2/);
    expect(r.stderr).toMatch(/is not valid: 2 errors, 0 warnings/);
    // One summary only: the error line on stderr.
    expect(r.stdout).not.toMatch(/2 errors/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('--json prints one result line, also on failure: exit 2 with the issues in error.details', async () => {
    project = tempProject(sampleConfig({ environments: { dev: { account: '111111111111', region: 'us-east-1', lambda: { runtime: 'nodejs18.x' } } } }));
    const r = await spawnTapctl(['validate', '--json'], { cwd: project.dir });
    expect(r.code).toBe(2);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ type: 'result', ok: false, command: 'validate', error: { code: 'config', exitCode: 2, message: 'tapctl.config.yaml is not valid: 1 error, 0 warnings' } });
    expect(doc.error.details.errors[0]).toMatchObject({ path: 'environments.dev.lambda.runtime', rule: 'L4' });
  });

  it('--env limits the report to one environment and suggests a near name', async () => {
    project = tempProject();
    const ok = await spawnTapctl(['validate', '--env', 'prod', '--json'], { cwd: project.dir });
    expect(JSON.parse(ok.stdout).environments).toEqual(['prod']);
    const typo = await spawnTapctl(['validate', '--env', 'prd'], { cwd: project.dir });
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/no environment 'prd'.*did you mean 'prod'\?/);
  });

  it('without a config says how to create one (exit 2)', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(`${tmpdir()}/tapctl-empty-`);
    const r = await spawnTapctl(['validate'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no tapctl.config.yaml in .* or any folder above it/);
    expect(r.stderr).toMatch(/hint: run tapctl init/);
  });
});

describe('tapctl config (spawned)', () => {
  it('prints the resolved environment with defaults and physical names', async () => {
    project = tempProject();
    const r = await spawnTapctl(['config', '--env', 'prod', '--json'], { cwd: project.dir });
    expect(r.code).toBe(0);
    const env = JSON.parse(r.stdout);
    expect(env).toMatchObject({ name: 'prod', kind: 'production', protection: { retainData: true } });
    expect(env.names.stack).toBe('TapStack-shop-prod');
    expect(env.database.version).toBe('16.4');
  });

  it('needs --env when there are several environments', async () => {
    project = tempProject();
    const r = await spawnTapctl(['config'], { cwd: project.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/needs --env <name>/);
    expect(r.stderr).toMatch(/dev, staging, prod/);
  });

  it('refuses a --region that disagrees with the environment', async () => {
    project = tempProject();
    const r = await spawnTapctl(['config', '--env', 'dev', '--region', 'eu-west-1'], { cwd: project.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/environment 'dev' is in us-east-1, but --region says 'eu-west-1'/);
  });
});

describe('the program (spawned)', () => {
  it('--help lists the commands and the exit codes', async () => {
    const r = await spawnTapctl(['--help'], { cwd: process.cwd() });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/validate/);
    expect(r.stdout).toMatch(/Exit codes: 0 success/);
  });

  it('--version prints the package version', async () => {
    const r = await spawnTapctl(['--version'], { cwd: process.cwd() });
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('suggests the closest command and option, exit 2', async () => {
    const cmd = await spawnTapctl(['valdate'], { cwd: process.cwd() });
    expect(cmd.code).toBe(2);
    expect(cmd.stderr).toMatch(/unknown command 'valdate'; did you mean validate\?/);
    const opt = await spawnTapctl(['validate', '--jsn'], { cwd: process.cwd() });
    expect(opt.code).toBe(2);
    expect(opt.stderr).toMatch(/unknown option '--jsn'; did you mean --json\?/);
  });

  it('with --json, a usage error is still one JSON document on stdout', async () => {
    const r = await spawnTapctl(['valdate', '--json'], { cwd: process.cwd(), env: cleanEnv() });
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).error.code).toBe('usage');
  });
});

describe('the process edge (spawned)', () => {
  const sh = async (script: string, cwd: string) => {
    const { spawnSync } = await import('node:child_process');
    const { BIN } = await import('../helpers/cli.js');
    return spawnSync('bash', ['-c', script.replaceAll('TAPCTL', `"${process.execPath}" "${BIN}"`)], { cwd, encoding: 'utf8', env: cleanEnv() });
  };

  it.each([
    ['validate --env nope --json', 2],
    ['config --env nope', 2],
    ['nosuch --json', 2],
    ['--nosuch', 2],
  ])('a reader gone before the command ends (tapctl %s | true) leaves its exit code %i', async (args, code) => {
    project = tempProject();
    const r = await sh(`TAPCTL ${args} | true; exit \${PIPESTATUS[0]}`, project.dir);
    expect(r.stderr).not.toMatch(/EPIPE|Unhandled|at /);
    expect(r.status).toBe(code);
  });

  it('a reader of stderr gone: the --json result line still reaches stdout, with the exit code', async () => {
    project = tempProject();
    const r = await sh('TAPCTL validate --env nope --json 2> >(true); echo "exit $?"', project.dir);
    const [line, exit] = r.stdout.trim().split('\n');
    expect(JSON.parse(line!)).toMatchObject({ type: 'result', ok: false, command: 'validate', error: { exitCode: 2 } });
    expect(exit).toBe('exit 2');
  });

  it('SIGTERM after the reader of stdout has gone still exits 143, saying so on stderr', async () => {
    project = tempProject();
    const { spawn } = await import('node:child_process');
    const { BIN } = await import('../helpers/cli.js');
    const child = spawn(process.execPath, [BIN, 'synth', '--all', '--no-cache'], { cwd: project.dir, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    // Once tapctl says it is at work, it is asked to stop.
    child.stderr.on('data', (d) => {
      if (!stderr) child.kill('SIGTERM');
      stderr += d;
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(143);
    expect(stderr).toMatch(/✖ .*(interrupted|stopped)/);
  });


  it('stops quietly when the reader of stdout goes away (tapctl ... | head)', async () => {
    const { spawnSync } = await import('node:child_process');
    const { BIN } = await import('../helpers/cli.js');
    const r = spawnSync('bash', ['-c', `"${process.execPath}" "${BIN}" push-image --help | head -1; exit \${PIPESTATUS[0]}`], { encoding: 'utf8', env: cleanEnv() });
    expect(r.stderr).not.toMatch(/EPIPE|Unhandled/);
    expect(r.status).toBe(0);
  });
});

describe('--dir and paths (spawned)', () => {
  it('an explicit --dir that does not exist is exit 2, never a parent project', async () => {
    project = tempProject();
    const r = await spawnTapctl(['validate', '--dir', 'does-not-exist'], { cwd: project.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--dir 'does-not-exist': there is no such folder/);
  });

  it('an explicit --dir without a config does not search upward', async () => {
    project = tempProject();
    const { mkdirSync } = await import('node:fs');
    mkdirSync(`${project.dir}/sub`);
    const r = await spawnTapctl(['validate', '--dir', 'sub'], { cwd: project.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no tapctl.config.yaml in .*sub/);
  });

  it('a file where init needs a folder is a clear exit 2, not an internal error', async () => {
    project = tempProject();
    const r = await spawnTapctl(['init', '--dir', 'tapctl.config.yaml/x', '--project', 'shop', '--account', '123456789012', '--email', 'ops@shop.io', '--yes'], { cwd: project.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot mkdir .*: part of the path is a file, not a folder \(ENOTDIR\)/);
    expect(r.stderr).not.toMatch(/internal error/);
  });
});
