/** Tag derivation: git state from real (temporary) repositories, and the rules for --tag and latest. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/errors.js';
import { spawnProcess } from '../../src/image/exec.js';
import { contextTag } from '../../src/image/context-digest.js';
import { deriveTags, readGitState } from '../../src/image/tag.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const gitEnv = {
  ...process.env,
  GIT_AUTHOR_NAME: 'test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
  HOME: tmpdir(),
};

/** A throwaway repository with one commit (never the tapctl checkout). */
function tempRepo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tapctl-git-'));
  dirs.push(dir);
  const git = (...args: string[]) => execFileSync('git', ['-c', 'commit.gpgsign=false', '-c', 'init.defaultBranch=main', ...args], { cwd: dir, env: gitEnv, stdio: 'pipe' });
  git('init', '-q');
  writeFileSync(join(dir, 'app.js'), 'console.log(1)\n');
  git('add', '.');
  git('commit', '-q', '-m', 'first');
  return dir;
}

const headSha = (dir: string) => execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: dir, env: gitEnv }).toString().trim();

describe('readGitState', () => {
  it('GIVEN a clean tree THEN the short SHA of HEAD, not dirty', async () => {
    const dir = tempRepo();
    const state = await readGitState(spawnProcess, dir, gitEnv);
    expect(state).toEqual({ commit: headSha(dir), dirty: false });
    expect(deriveTags({}, state)).toEqual({ primary: headSha(dir), all: [headSha(dir)], source: 'git' });
  });

  it('GIVEN a modified file THEN dirty, and the tag ends in -dirty', async () => {
    const dir = tempRepo();
    writeFileSync(join(dir, 'app.js'), 'console.log(2)\n');
    const state = await readGitState(spawnProcess, dir, gitEnv);
    expect(state?.dirty).toBe(true);
    expect(deriveTags({}, state).primary).toBe(`${headSha(dir)}-dirty`);
  });

  it('GIVEN an untracked file THEN dirty as well (it is in the build context)', async () => {
    const dir = tempRepo();
    writeFileSync(join(dir, 'new.js'), 'x\n');
    expect((await readGitState(spawnProcess, dir, gitEnv))?.dirty).toBe(true);
  });

  it('GIVEN a folder that is no repository THEN no state', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tapctl-nogit-'));
    dirs.push(dir);
    expect(await readGitState(spawnProcess, dir, { ...gitEnv, GIT_CEILING_DIRECTORIES: tmpdir() })).toBeUndefined();
  });

  it('GIVEN no git on PATH THEN no state (not a crash)', async () => {
    const dir = tempRepo();
    expect(await readGitState(spawnProcess, dir, { ...gitEnv, PATH: '/nonexistent' })).toBeUndefined();
  });
});

describe('deriveTags', () => {
  const git = { commit: 'abc1234', dirty: false };

  it('--tag wins over git', () => {
    expect(deriveTags({ tag: 'v1.2.3' }, git)).toEqual({ primary: 'v1.2.3', all: ['v1.2.3'], source: 'flag' });
  });

  it('no git and no --tag THEN a usage error that names --tag', () => {
    expect(() => deriveTags({}, undefined)).toThrow(UsageError);
    try {
      deriveTags({}, undefined);
    } catch (e) {
      expect((e as UsageError).hint).toContain('--tag');
    }
  });

  it('--also-latest adds latest after the immutable tag', () => {
    expect(deriveTags({ alsoLatest: true }, git).all).toEqual(['abc1234', 'latest']);
    expect(deriveTags({ tag: 'v2', alsoLatest: true }, undefined).all).toEqual(['v2', 'latest']);
  });

  it('latest is never the only tag, not even with --also-latest', () => {
    expect(() => deriveTags({ tag: 'latest' }, git)).toThrow(/never the only tag/);
    expect(() => deriveTags({ tag: 'latest', alsoLatest: true }, git)).toThrow(/never the only tag/);
  });

  it('rejects tags docker would reject', () => {
    expect(() => deriveTags({ tag: '-bad' }, git)).toThrow(/not a valid image tag/);
    expect(() => deriveTags({ tag: 'has space' }, git)).toThrow(/not a valid image tag/);
    expect(() => deriveTags({ tag: 'x'.repeat(129) }, git)).toThrow(/not a valid image tag/);
  });
});

describe('the content tag outside git', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const context = () => {
    const dir = mkdtempSync(join(tmpdir(), 'tapctl-ctx-'));
    dirs.push(dir);
    mkdirSync(join(dir, 'app'));
    writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\n');
    writeFileSync(join(dir, 'app', 'server.js'), 'console.log(1)\n');
    writeFileSync(join(dir, '.dockerignore'), '.git\n.tapctl\n**/node_modules\n.env\n*.log\n');
    return dir;
  };

  it('is used when there is no git and no --tag', () => {
    expect(deriveTags({}, undefined, () => 'ctx-0123456789ab')).toEqual({ primary: 'ctx-0123456789ab', all: ['ctx-0123456789ab'], source: 'content' });
    expect(deriveTags({}, { commit: 'abc1234', dirty: false }, () => 'ctx-x').source).toBe('git');
  });

  it('is the same for the same files, and changes with any file the build sees', () => {
    const a = context();
    const b = context();
    expect(contextTag(a)).toMatch(/^ctx-[0-9a-f]{12}$/);
    expect(contextTag(a)).toBe(contextTag(b));
    writeFileSync(join(b, 'app', 'server.js'), 'console.log(2)\n');
    expect(contextTag(b)).not.toBe(contextTag(a));
  });

  it("ignores what never goes into the image: .git, tapctl's .tapctl, and names .dockerignore lists", () => {
    const a = context();
    const before = contextTag(a);
    for (const dir of ['.git', '.tapctl', join('app', 'node_modules')]) {
      mkdirSync(join(a, dir), { recursive: true });
      writeFileSync(join(a, dir, 'x'), String(Math.random()));
    }
    writeFileSync(join(a, '.env'), 'SECRET=1\n');
    expect(contextTag(a)).toBe(before);
  });
});

