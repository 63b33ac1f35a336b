/**
 * The built binary keeps its compiled code between runs on a Node without a compile cache of its own
 * (src/cli/code-cache.ts; from Node 22.1 it is Node's, in a folder of tapctl's, and these checks do not apply).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import module from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, cleanEnv } from '../helpers/cli.js';
import { tempProject } from '../helpers/project.js';

const nodeHasItsOwn = typeof (module as { enableCompileCache?: unknown }).enableCompileCache === 'function';
const project = tempProject();
const cacheHome = mkdtempSync(join(tmpdir(), 'tapctl-xdg-cache-'));
afterAll(() => {
  project.cleanup();
  rmSync(cacheHome, { recursive: true, force: true });
});

const run = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, [BIN, ...args], { cwd: project.dir, env: cleanEnv({ XDG_CACHE_HOME: cacheHome, ...env }), encoding: 'utf8' });

/** The files in this build's cache folder (there is one per build and Node version). */
function cached(): string[] {
  const parent = join(cacheHome, 'tapctl', 'code-cache');
  if (!existsSync(parent)) return [];
  const builds = readdirSync(parent);
  expect(builds).toEqual([expect.stringMatching(new RegExp(`^${process.version.replace(/\./g, '\\.')}-[0-9a-f]{16}$`))]);
  return readdirSync(join(parent, builds[0]!)).sort();
}

describe.skipIf(nodeHasItsOwn)('the code cache of the built binary (Node 20)', () => {
  it('is off with NODE_DISABLE_COMPILE_CACHE, as Node\'s own is', () => {
    const r = run(['--help'], { NODE_DISABLE_COMPILE_CACHE: '1' });
    expect(r.status, r.stderr).toBe(0);
    expect(cached()).toEqual([]);
  });

  it('is written by the first run, read by the next, and the output is the same', () => {
    const first = run(['config', '--env', 'dev']);
    expect(first.status, first.stderr).toBe(0);
    expect(cached().filter((f) => f.startsWith('seen-'))).toHaveLength(1);
    expect(cached().filter((f) => /^(tapctl|kernel)\.js\.\d+-\d+-\d+\.cache$/.test(f))).toHaveLength(2);
    // The second run reads the config from its own cache (.tapctl/), so it loads other files than the first: it
    // writes their caches too. From then on, runs only read.
    const second = run(['config', '--env', 'dev']);
    const files = cached();
    const third = run(['config', '--env', 'dev']);
    for (const later of [second, third]) expect(later).toMatchObject({ status: 0, stdout: first.stdout, stderr: first.stderr });
    expect(cached()).toEqual(files);
  });

  it('a damaged cache is never given to V8 (which may crash on one): the same output, and the cache is written again', () => {
    const first = run(['config', '--env', 'dev']);
    const folder = join(cacheHome, 'tapctl', 'code-cache', readdirSync(join(cacheHome, 'tapctl', 'code-cache'))[0]!);
    const kernel = join(folder, cached().find((f) => f.startsWith('kernel.js.'))!);
    const bytes = readFileSync(kernel);
    for (let i = 5000; i < bytes.length; i += 997) bytes[i] ^= 0xff;
    writeFileSync(kernel, bytes);
    const damaged = run(['config', '--env', 'dev']);
    expect(damaged).toMatchObject({ status: 0, stdout: first.stdout, stderr: first.stderr });
    expect(readFileSync(kernel).equals(bytes)).toBe(false);
  });
});
