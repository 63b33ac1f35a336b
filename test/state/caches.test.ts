/**
 * Everything in .tapctl/ is a cache: verified before use, ignored with one warning and rebuilt when wrong, and
 * never what decides which image a task definition runs.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { contentHash, readVerified, writeVerified } from '../../src/state/verified-cache.js';
import { runTapctl } from '../helpers/cli.js';
import { tempProject, type TempProject } from '../helpers/project.js';

let project: TempProject;
afterEach(() => project?.cleanup());

const accept = () => undefined;

describe('verified cache files', () => {
  it('returns what was written, and nothing for a missing file', () => {
    project = tempProject();
    const path = join(project.dir, '.tapctl', 'x.json');
    expect(readVerified(path, accept)).toBeUndefined();
    writeVerified(path, { a: 1, list: ['b'] });
    expect(readVerified(path, accept)).toEqual({ a: 1, list: ['b'] });
  });

  it.each([
    ['not JSON', () => '{ half', /it is not valid JSON/],
    ['no envelope of this format', () => JSON.stringify({ tapctlCache: 99, sha256: 'x', data: {} }), /it is not a tapctl cache file/],
    ['edited data, old hash', () => JSON.stringify({ tapctlCache: 1, sha256: contentHash({ a: 1 }), data: { a: 2 } }), /does not match its hash/],
    ['a JSON array', () => '[1,2]', /it is not a tapctl cache file/],
  ])('a file that is %s is a miss, reported once', (_what, content, reason) => {
    project = tempProject();
    const path = join(project.dir, '.tapctl', 'x.json');
    mkdirSync(join(project.dir, '.tapctl'));
    writeFileSync(path, content());
    const warnings: string[] = [];
    expect(readVerified(path, accept, { onInvalid: (m) => warnings.push(m) })).toBeUndefined();
    expect(readVerified(path, accept, { onInvalid: (m) => warnings.push(m) })).toBeUndefined();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(reason);
    expect(warnings[0]).toMatch(/it is a cache and will be rebuilt/);
  });

  it("data the caller's check refuses is a miss, with the caller's reason", () => {
    project = tempProject();
    const path = join(project.dir, '.tapctl', 'x.json');
    writeVerified(path, { n: -1 });
    const warnings: string[] = [];
    expect(readVerified(path, (d) => ((d as { n: number }).n < 0 ? 'its n is negative' : undefined), { onInvalid: (m) => warnings.push(m), label: 'x.json' })).toBeUndefined();
    expect(warnings).toEqual(['ignoring x.json: its n is negative; it is a cache and will be rebuilt']);
  });

  it('a folder, or a FIFO, in place of a cache file is a miss at once, never a hang', () => {
    project = tempProject();
    const dir = join(project.dir, '.tapctl');
    mkdirSync(join(dir, 'folder.json'), { recursive: true });
    execFileSync('mkfifo', [join(dir, 'fifo.json')]);
    const warnings: string[] = [];
    expect(readVerified(join(dir, 'folder.json'), accept, { onInvalid: (m) => warnings.push(m) })).toBeUndefined();
    expect(readVerified(join(dir, 'fifo.json'), accept, { onInvalid: (m) => warnings.push(m) })).toBeUndefined();
    expect(warnings.join('\n')).toMatch(/a folder, not a file[\s\S]*a named pipe \(FIFO\), not a file/);
  });
});

describe('.tapctl/<env>/image.json (written by tapctl before the release ledger) is never read', () => {
  it('a hostile record changes nothing: without credentials the plan says the image is not resolved', async () => {
    project = tempProject();
    mkdirSync(join(project.dir, '.tapctl', 'dev'), { recursive: true });
    writeFileSync(join(project.dir, '.tapctl', 'dev', 'image.json'), JSON.stringify({ repositoryUri: 'evil.example.com/x', tag: 'pwned', digest: `sha256:${'e'.repeat(64)}` }));
    const r = await runTapctl(['deploy', '--env', 'dev', '--dry-run', '--json'], { cwd: project.dir });
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    expect(result.image).toMatchObject({ source: 'unresolved' });
    expect(r.stdout + r.stderr).not.toMatch(/evil\.example\.com|pwned/);
  });
});
