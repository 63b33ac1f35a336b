/** init's git offer: where it asks git, and a spawn that fails at once is an answer, never a crash. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnProcess } from '../../src/image/exec.js';
import { gitInit, insideGitWorkTree } from '../../src/init/git.js';

const root = mkdtempSync(join(tmpdir(), 'tapctl-git-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const env = { PATH: process.env.PATH };

describe('insideGitWorkTree', () => {
  it('false outside a repository, true inside one and in a folder still to be made under it', async () => {
    const plain = join(root, 'plain');
    mkdirSync(plain);
    expect(await insideGitWorkTree(spawnProcess, plain, env)).toBe(false);
    expect(await gitInit(spawnProcess, plain, env)).toBeUndefined();
    expect(await insideGitWorkTree(spawnProcess, plain, env)).toBe(true);
    expect(await insideGitWorkTree(spawnProcess, join(plain, 'new', 'shop'), env)).toBe(true);
  });

  it('a path through a file is judged by the folder above the file', async () => {
    const dir = join(root, 'with-file');
    mkdirSync(dir);
    writeFileSync(join(dir, 'a-file'), 'x');
    expect(await insideGitWorkTree(spawnProcess, join(dir, 'a-file', 'sub'), env)).toBe(false);
  });

  it('undefined when git is not installed', async () => {
    expect(await insideGitWorkTree(spawnProcess, root, { PATH: '/nonexistent' })).toBeUndefined();
  });
});

describe('spawnProcess', () => {
  it('a cwd that is a file is an error result, not an exception', async () => {
    const file = join(root, 'cwd-file');
    writeFileSync(file, 'x');
    const r = await spawnProcess({ command: 'git', args: ['--version'], cwd: file, timeoutMs: 5_000 });
    expect(r.error).toBeInstanceOf(Error);
    expect(r.code).not.toBe(0);
  });
});
