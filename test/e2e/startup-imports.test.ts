/**
 * `tapctl --help` and `tapctl validate` must start without aws-cdk-lib, toolkit-lib or any AWS SDK client:
 * those take seconds to load. (Speed itself is measured by `npm run bench`, not here.)
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, cleanEnv } from '../helpers/cli.js';
import { tempProject } from '../helpers/project.js';

const TRACER = fileURLToPath(new URL('../../scripts/lib/trace-imports.mjs', import.meta.url));
const HEAVY = /node_modules\/(aws-cdk-lib|@aws-cdk\/toolkit-lib|@aws-sdk\/client-|constructs)\//;
const project = tempProject();
afterAll(() => project.cleanup());

function loadedBy(args: string[]): string[] {
  const file = join(mkdtempSync(join(tmpdir(), 'tapctl-trace-')), 'imports.txt');
  const r = spawnSync(process.execPath, ['--import', TRACER, BIN, ...args], { cwd: project.dir, env: cleanEnv({ TAPCTL_TRACE_IMPORTS: file }), encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return readFileSync(file, 'utf8').split('\n').filter(Boolean);
}

describe('start-up imports', () => {
  it.each([[['--help']], [['validate']], [['config', '--env', 'dev']]])('tapctl %j loads no CDK or AWS SDK module', (args) => {
    const loaded = loadedBy(args);
    expect(loaded.some((u) => u.includes('/dist/cli/main.js'))).toBe(true);
    expect(loaded.filter((u) => HEAVY.test(u))).toEqual([]);
  });
});
