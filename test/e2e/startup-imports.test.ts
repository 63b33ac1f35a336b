/**
 * What the light commands load when the built binary starts (bin/tapctl.cjs runs the bundle of scripts/bundle.js):
 * never aws-cdk-lib, toolkit-lib or an AWS SDK client (seconds to load), and only a handful of files: the bundle's
 * entry and the chunks the command needs, not tapctl's ~130 compiled modules or zod's ~95. Speed itself is measured
 * by `npm run bench`, not here.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cleanEnv } from '../helpers/cli.js';
import { sdkPackageOf } from '../helpers/sdk-chunks.js';
import { tempProject } from '../helpers/project.js';

const TRACER = fileURLToPath(new URL('../../scripts/lib/trace-imports.mjs', import.meta.url));
const NODE_INTERNALS = fileURLToPath(new URL('../helpers/node-internals.cjs', import.meta.url));
/** Node's internal module that runs every ES module (a program started as CommonJS never loads it). */
const ES_MODULE_JOB = 'NativeModule internal/modules/esm/module_job';
/** Node's streams, which making process.stdout loads. */
const NODE_STREAM = 'NativeModule stream';
// A cached synth reads aws-cdk-lib's package.json (its version is part of the cache key): that is no load.
const HEAVY_PACKAGES = /node_modules\/(aws-cdk-lib|@aws-cdk\/toolkit-lib|@aws-sdk\/|@smithy\/|constructs)\/(?!package\.json$)/;
// The AWS SDK is bundled: its clients are chunks of dist/bundle (test/helpers/sdk-chunks.ts).
const HEAVY = { test: (url: string) => HEAVY_PACKAGES.test(url) || sdkPackageOf(url) !== undefined };
/**
 * Files each light command may load, counted as the tracer sees them (bin/tapctl.cjs, the code cache of Node 20
 * (src/cli/code-cache.ts), the bundle's entry, kernel.js with everything every start needs, and the chunks of the
 * command's own work; a cached synth also reads aws-cdk-lib's package.json). Today: --help 4, validate 15, config 11,
 * a cached synth 10; unbundled, --help loaded 95 and validate 365. The margin is two files: a new static import that
 * splits off a chunk fails here, so the one who adds it sees the count and decides.
 */
const MAX_FILES: Record<string, number> = { '--help': 6, validate: 17, config: 13, synth: 12 };
/**
 * Bytes of JavaScript a light command loads (today: --help 213 KB, config 302 KB, validate 540 KB, a cached synth
 * 240 KB), with room to grow. Node parses all of it at every start; zod bundled whole (`import { z } from 'zod'`
 * instead of `import * as z`) would add ~450 KB, classic zod instead of zod/mini in the config schema ~85 KB (validate
 * loaded 620 KB with it), yaml (130 KB) back in a cached synth (its signed config cache needs no YAML parse), and
 * yaml's parser (62 KB) with config's printer (scripts/bundle.js, yamlPrinterAlone) would not fit either.
 */
const MAX_BYTES: Record<string, number> = { '--help': 230_000, validate: 600_000, config: 340_000, synth: 280_000 };
const project = tempProject();
// This run's own cache key (state/cache-key.ts), so the cached config is signed whatever the machine's home allows.
const configHome = mkdtempSync(join(tmpdir(), 'tapctl-xdg-'));
afterAll(() => {
  project.cleanup();
  rmSync(configHome, { recursive: true, force: true });
});

function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, [BIN, ...args], { cwd: project.dir, env: cleanEnv({ XDG_CONFIG_HOME: configHome, ...env }), encoding: 'utf8' });
}

function loadedBy(args: string[], { env = {}, status = 0 }: { env?: NodeJS.ProcessEnv; status?: number } = {}): string[] {
  const file = join(mkdtempSync(join(tmpdir(), 'tapctl-trace-')), 'imports.txt');
  const r = spawnSync(process.execPath, ['--import', TRACER, BIN, ...args], { cwd: project.dir, env: cleanEnv({ XDG_CONFIG_HOME: configHome, TAPCTL_TRACE_IMPORTS: file, ...env }), encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(status);
  // Node's built-ins and the tracer itself are not what we count.
  return [...new Set(readFileSync(file, 'utf8').split('\n'))].filter((u) => u.startsWith('file:') && !u.includes('/scripts/lib/trace-imports'));
}

describe('start-up imports', () => {
  beforeAll(() => {
    // A synth fills the cache that the cached synth below reads.
    const r = run(['synth', '--env', 'dev']);
    expect(r.status, r.stderr).toBe(0);
  });

  it.each([[['--help']], [['validate']], [['config', '--env', 'dev']], [['synth', '--env', 'dev']]])('tapctl %j loads the bundle, a few files, and no CDK or AWS SDK module', (args) => {
    const loaded = loadedBy(args);
    expect(loaded.some((u) => u.endsWith('/dist/bundle/tapctl.js'))).toBe(true);
    expect(loaded.filter((u) => HEAVY.test(u)), loaded.join('\n')).toEqual([]);
    expect(loaded.length, loaded.join('\n')).toBeLessThanOrEqual(MAX_FILES[args[0]]);
    const bytes = loaded.reduce((n, u) => n + statSync(fileURLToPath(u)).size, 0);
    expect(bytes, `${args[0]} loaded ${bytes} bytes`).toBeLessThanOrEqual(MAX_BYTES[args[0]]);
  });

  /** Node's internal modules that `node --require <probe> <args>` loads. */
  function nodeInternals(args: string[]): string[] {
    const file = join(mkdtempSync(join(tmpdir(), 'tapctl-internals-')), 'internals.txt');
    const r = spawnSync(process.execPath, ['--require', NODE_INTERNALS, ...args], { cwd: project.dir, env: cleanEnv({ XDG_CONFIG_HOME: configHome, NODE_INTERNALS_FILE: file }), encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    return readFileSync(file, 'utf8').split('\n');
  }

  it.each([[['--help']], [['validate']], [['config', '--env', 'dev']], [['synth', '--env', 'dev']]])('tapctl %j starts as CommonJS: no ES module loads (scripts/lib/to-commonjs.js)', (args) => {
    expect(nodeInternals([BIN, ...args])).not.toContain(ES_MODULE_JOB);
  });

  it('tapctl --help writes to a pipe without Node\'s stream stack (cli/fd-writer.ts); the check can fail', () => {
    expect(nodeInternals([BIN, '--help'])).not.toContain(NODE_STREAM);
    expect(nodeInternals(['-e', 'process.stdout.write("")'])).toContain(NODE_STREAM);
  });

  it('the check above can fail: an ES module program loads the ES module loader', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tapctl-esm-'));
    writeFileSync(join(dir, 'main.mjs'), 'export {};\n');
    expect(nodeInternals([join(dir, 'main.mjs')])).toContain(ES_MODULE_JOB);
    rmSync(dir, { recursive: true, force: true });
  });

  it('an AWS call loads the bundled SDK, through its chunks (so the check above can fail): status loads STS first', () => {
    // Credentials, and an endpoint nothing listens on: status loads STS for its identity check and stops there.
    const env = { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'example', AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_MAX_ATTEMPTS: '1' };
    const loaded = loadedBy(['status', '--env', 'dev'], { env, status: 1 });
    const clients = loaded.flatMap((u) => sdkPackageOf(u) ?? []).map((p) => p.replace(/^@aws-sdk\/(client-)?/, ''));
    // In load order: the credential chain and STS; CloudFormation (the stack) only once STS's request is sent.
    expect(clients.slice(0, 2)).toEqual(['credential-provider-node', 'sts']);
    expect(clients.slice(2).filter((c) => c !== 'cloudformation')).toEqual([]);
    expect(loaded.filter((u) => HEAVY_PACKAGES.test(u)), 'the SDK is bundled, not loaded from node_modules').toEqual([]);
  });

  it('the tracer sees CommonJS loads too (so the check above can fail): a cold synth loads aws-cdk-lib', () => {
    const loaded = loadedBy(['synth', '--env', 'dev', '--no-cache']);
    expect(loaded.some((u) => u.includes('/node_modules/aws-cdk-lib/aws-ecs/'))).toBe(true);
  });
});
