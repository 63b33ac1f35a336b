/**
 * What the light commands load when the built binary starts (bin/tapctl.js runs the bundle of scripts/bundle.js):
 * never aws-cdk-lib, toolkit-lib or an AWS SDK client (seconds to load), and only a handful of files: the bundle's
 * entry and the chunks the command needs, not tapctl's ~130 compiled modules or zod's ~95. Speed itself is measured
 * by `npm run bench`, not here.
 */
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cleanEnv } from '../helpers/cli.js';
import { tempProject } from '../helpers/project.js';

const TRACER = fileURLToPath(new URL('../../scripts/lib/trace-imports.mjs', import.meta.url));
// A cached synth reads aws-cdk-lib's package.json (its version is part of the cache key): that is no load.
const HEAVY = /node_modules\/(aws-cdk-lib|@aws-cdk\/toolkit-lib|@aws-sdk\/client-|@aws-sdk\/credential-provider|constructs)\/(?!package\.json$)/;
/**
 * Files a light command may load: today 22 (--help) to 31 (validate), one more than before quote() was used for
 * every echoed path (its chunk split from suggest's); unbundled, --help loaded 95 and validate 365.
 */
const MAX_FILES = 32;
/**
 * Bytes of JavaScript a light command loads (today: --help 150 KB, config 300 KB, validate 520 KB), with room to
 * grow. Node parses all of it at every start; zod bundled whole (`import { z } from 'zod'` instead of
 * `import * as z`) would add ~450 KB.
 */
const MAX_BYTES: Record<string, number> = { '--help': 250_000, validate: 750_000, config: 500_000, synth: 500_000 };
const project = tempProject();
afterAll(() => project.cleanup());

function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, [BIN, ...args], { cwd: project.dir, env: cleanEnv(env), encoding: 'utf8' });
}

function loadedBy(args: string[]): string[] {
  const file = join(mkdtempSync(join(tmpdir(), 'tapctl-trace-')), 'imports.txt');
  const r = spawnSync(process.execPath, ['--import', TRACER, BIN, ...args], { cwd: project.dir, env: cleanEnv({ TAPCTL_TRACE_IMPORTS: file }), encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
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
    expect(loaded.length, loaded.join('\n')).toBeLessThanOrEqual(MAX_FILES);
    const bytes = loaded.reduce((n, u) => n + statSync(fileURLToPath(u)).size, 0);
    expect(bytes, `${args[0]} loaded ${bytes} bytes`).toBeLessThanOrEqual(MAX_BYTES[args[0]]);
  });

  it('the tracer sees CommonJS loads too (so the check above can fail): a cold synth loads aws-cdk-lib', () => {
    const loaded = loadedBy(['synth', '--env', 'dev', '--no-cache']);
    expect(loaded.some((u) => u.includes('/node_modules/aws-cdk-lib/aws-ecs/'))).toBe(true);
  });
});
