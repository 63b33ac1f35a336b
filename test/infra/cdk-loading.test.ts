/**
 * src/infra loads aws-cdk-lib as CommonJS (`import x = require('aws-cdk-lib/...')`, which tsc compiles to a
 * createRequire call), so that aws-cdk-lib's lazy exports stay lazy and a synth loads the ~25 submodules the
 * stacks use. An ES module import (`import * as x from` or `import { X } from`) makes Node's ESM-to-CommonJS
 * bridge read every export name, which loads all ~355 submodules (~1,000 files): 0.66x the CPU of a cold synth
 * without it (docs: field-notes "Loading aws-cdk-lib from ESM").
 *
 * What loads is counted in a fresh process over dist/ (test/infra/synth-child.mjs): the test files themselves
 * import aws-cdk-lib as ES modules, so the module cache of this process says nothing.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CHILD = fileURLToPath(new URL('./synth-child.mjs', import.meta.url));

/**
 * The default stack needs 24 submodules (aws-cdk-lib 2.276). The bound leaves room for a few more constructs; the
 * regression it catches loads all ~355. Raise it when a new construct really needs more.
 */
const MAX_SUBMODULES = 32;

interface ChildReport {
  readonly files: number;
  readonly submodules: string[];
  readonly templates: string[];
}

function synthInChild(outdir: string, esmPreload?: readonly string[]): ChildReport {
  const args = [CHILD, outdir, ...(esmPreload ? ['--esm-preload', ...esmPreload] : [])];
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as ChildReport;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('how src/infra loads aws-cdk-lib', () => {
  it('imports aws-cdk-lib values with import x = require(), never with an ES module import', () => {
    const offending = sourceFiles(join(ROOT, 'src', 'infra')).flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .flatMap((line, i) => (/^import (?!type\b)[^=]*\bfrom 'aws-cdk-lib[/']/.test(line) ? [`${relative(ROOT, file)}:${i + 1}: ${line}`] : [])),
    );
    // Fix: `import ec2 = require('aws-cdk-lib/aws-ec2');`, or for the root `import cdk = require('aws-cdk-lib');`
    // then `import Duration = cdk.Duration;`. Type-only imports (`import type ...`) load nothing and are fine.
    expect(offending).toEqual([]);
  });

  it(`loads at most ${MAX_SUBMODULES} aws-cdk-lib submodules for the default stack, and the same templates as an ES module import`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'tapctl-cdk-loading-'));
    // GIVEN the default stack (and one of each preset) built in a fresh process the way tapctl loads aws-cdk-lib
    const lazy = synthInChild(join(dir, 'lazy'));
    // THEN only what the stack uses loaded
    expect(lazy.submodules).toContain('aws-ecs');
    const loaded = `${lazy.submodules.length} loaded: ${lazy.submodules.slice(0, 40).join(' ')}${lazy.submodules.length > 40 ? ' ...' : ''}`;
    expect(lazy.submodules.length, loaded).toBeLessThanOrEqual(MAX_SUBMODULES);

    // WHEN aws-cdk-lib is first loaded the old way: ES module namespace imports of the root and of the same submodules
    const eager = synthInChild(join(dir, 'eager'), lazy.submodules);
    // THEN that really loaded everything (so the comparison below compares the two loadings)
    expect(eager.submodules.length).toBeGreaterThan(300);
    // AND every template is byte-identical
    expect(eager.templates.map((t) => relative(join(dir, 'eager'), t))).toEqual(lazy.templates.map((t) => relative(join(dir, 'lazy'), t)));
    lazy.templates.forEach((template, i) => {
      expect(readFileSync(eager.templates[i], 'utf8'), template).toBe(readFileSync(template, 'utf8'));
    });
  });
});
