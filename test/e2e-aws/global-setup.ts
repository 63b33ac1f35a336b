/**
 * Starts the local AWS API emulator and registry (../shared/emulator/emu.sh) for the e2e-aws tier, on ports
 * chosen free now, with its state under the run's TMPDIR; stops exactly the processes it started at the end and
 * prints the tier's wall time. Where the emulator cannot be had, says why in one line and the tier skips.
 */
import { execFile, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';
import type { EmulatorInfo } from './emulator-info.js';

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('../..', import.meta.url));
/** ../shared beside the project, as in CI's checkout (TAPCTL_EMULATOR_DIR points elsewhere). */
const EMULATOR_DIR = resolve(process.env.TAPCTL_EMULATOR_DIR ?? join(REPO, '..', 'shared', 'emulator'));

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const why = await unavailable();
  if (why) {
    console.warn(`e2e-aws: skipped, ${why}`);
    project.provide('e2eAws', { skip: why });
    return undefined;
  }
  const [awsPort, registryPort] = await freePorts(2);
  const home = join(process.env.TAPCTL_TEST_TMPDIR ?? tmpdir(), 'emulator');
  const emuSh = join(EMULATOR_DIR, 'emu.sh');
  const env = { ...process.env, EMU_AWS_PORT: String(awsPort), EMU_REGISTRY_PORT: String(registryPort), EMU_HOME: home };
  const started = Date.now();
  mkdirSync(home, { recursive: true });
  let pids: number[] = [];
  try {
    await startEmulator(emuSh, env, join(home, 'start.log'));
    pids = emulatorPids(home, awsPort);
  } catch (e) {
    await stop(emulatorPids(home, awsPort));
    const log = readIfExists(join(home, 'moto.log')).split('\n').slice(-20).join('\n');
    throw new Error(`e2e-aws: the emulator did not start: ${(e as Error).message}\n${log}`);
  }
  const startMs = Date.now() - started;
  const info: EmulatorInfo = {
    awsEndpoint: `http://127.0.0.1:${awsPort}`,
    registryEndpoint: `http://127.0.0.1:${registryPort}`,
    awsPort,
    registryPort,
    home,
    emuSh,
  };
  project.provide('e2eAws', info);

  return async () => {
    await stop(pids);
    console.log(tierTime(home, startMs));
  };
}

/** Why the emulator cannot run here, or undefined when it can. */
async function unavailable(): Promise<string | undefined> {
  const emuSh = join(EMULATOR_DIR, 'emu.sh');
  if (!existsSync(emuSh)) return `no emulator at ${EMULATOR_DIR} (../shared/emulator beside the project)`;
  // The packages emu.sh itself installs; `emu.sh start` would apt-get the missing ones, which a test run must not.
  const list = /^PKGS=\(([^)]*)\)/m.exec(readFileSync(emuSh, 'utf8'))?.[1];
  const packages = (list ?? '').split(/\s+/).filter(Boolean);
  if (packages.length === 0) return `cannot read the package list of ${emuSh}`;
  let listing: string;
  try {
    listing = (await run('dpkg-query', ['-W', '-f', '${Package} ${db:Status-Status}\\n', ...packages])).stdout;
  } catch (e) {
    const { code, stdout } = e as { code?: unknown; stdout?: string };
    if (code === 'ENOENT' || typeof stdout !== 'string') return 'not a Debian machine (no dpkg-query): the emulator installs from Debian packages';
    // dpkg-query exits 1 when it knows a package name not at all; what it found is still on stdout.
    listing = stdout;
  }
  const installed = new Set(listing.split('\n').filter((l) => l.endsWith(' installed')).map((l) => l.split(' ')[0]));
  const missing = packages.filter((p) => !installed.has(p));
  if (missing.length > 0) return `Debian packages not installed: ${missing.join(', ')} (run: bash ${emuSh} install)`;
  return undefined;
}

/**
 * `emu.sh start`, waited for by its exit: the servers it leaves running keep its output pipes open, so the output
 * goes to a file (a pipe would only close when they stop).
 */
async function startEmulator(emuSh: string, env: NodeJS.ProcessEnv, logPath: string): Promise<void> {
  const log = openSync(logPath, 'w');
  try {
    const code = await new Promise<number | null>((res, rej) => {
      const child = spawn('bash', [emuSh, 'start'], { env, stdio: ['ignore', log, log] });
      child.once('error', rej);
      child.once('exit', res);
    });
    if (code !== 0) throw new Error(`emu.sh start exited with ${code}: ${readIfExists(logPath)}`);
  } finally {
    closeSync(log);
  }
}

/**
 * The processes of this run's emulator, found by what only they run: moto on this run's port, the registry
 * with this run's config. (emu.sh records the PID of a subshell for moto, not of the server itself.)
 */
function emulatorPids(home: string, awsPort: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const argv = readIfExists(`/proc/${entry}/cmdline`).split('\0');
    const moto = argv.includes('moto.server') && argv[argv.indexOf('-p') + 1] === String(awsPort);
    const registry = argv.some((a) => a.endsWith('docker-registry')) && argv.includes(join(home, 'registry', 'config.yml'));
    if (moto || registry) found.push(Number(entry));
  }
  return found;
}

async function stop(pids: readonly number[]): Promise<void> {
  for (const pid of pids) signal(pid, 'SIGTERM');
  for (let i = 0; i < 50 && pids.some(alive); i++) await new Promise((r) => setTimeout(r, 100));
  for (const pid of pids.filter(alive)) signal(pid, 'SIGKILL');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

function readIfExists(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '';
  }
}

/** Each test file appends `start|end <file> <epoch ms>` (harness.ts); the tier's wall time spans them all. */
function tierTime(home: string, startMs: number): string {
  const marks = readIfExists(join(home, 'timings.log'))
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(' '))
    .map(([kind, file, at]) => ({ kind, file, at: Number(at) }));
  if (marks.length === 0) return `e2e-aws: no scenario recorded its time (emulator start ${(startMs / 1000).toFixed(1)} s)`;
  const first = Math.min(...marks.map((m) => m.at));
  const last = Math.max(...marks.map((m) => m.at));
  const files = [...new Set(marks.map((m) => m.file))].map((f) => {
    const of = marks.filter((m) => m.file === f);
    const span = Math.max(...of.map((m) => m.at)) - Math.min(...of.map((m) => m.at));
    return `${f} ${(span / 1000).toFixed(1)} s`;
  });
  return `e2e-aws tier: ${((last - first) / 1000).toFixed(1)} s wall (${files.join(', ')}; emulator start ${(startMs / 1000).toFixed(1)} s)`;
}

function freePorts(count: number): Promise<number[]> {
  // All listening at once, so the ports differ; closed before the emulator binds them.
  const servers: Server[] = [];
  const listen = () =>
    new Promise<number>((res, rej) => {
      const server = createServer();
      servers.push(server);
      server.once('error', rej);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        if (typeof address === 'object' && address) res(address.port);
        else rej(new Error('no port'));
      });
    });
  return Promise.all(Array.from({ length: count }, listen)).finally(() => Promise.all(servers.map((s) => new Promise((r) => s.close(r)))));
}
