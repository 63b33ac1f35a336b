/**
 * The cache key signs the config cache: made once per user, private to that user, and refused (no signing at
 * all) when anyone else could read or replace it.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cacheKey, cacheKeyPath, cacheKeyProblem, signature, verifySignature } from '../../src/state/cache-key.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
/** A fresh key path per test: the module reads each path once per process. */
const keyPath = () => {
  const dir = mkdtempSync(join(tmpdir(), 'tapctl-key-'));
  dirs.push(dir);
  return join(dir, 'config', 'tapctl', 'cache-key');
};

describe('the cache key', () => {
  it('lives under XDG_CONFIG_HOME when it is absolute, else ~/.config', () => {
    const conf = join(keyPath(), '..', '..');
    expect(cacheKeyPath({ XDG_CONFIG_HOME: conf })).toBe(join(conf, 'tapctl', 'cache-key'));
    expect(cacheKeyPath({ XDG_CONFIG_HOME: 'relative' })).toMatch(/\/\.config\/tapctl\/cache-key$/);
  });

  it('has no place with an empty or relative HOME: never a key file in the current folder, the project', () => {
    expect(cacheKeyPath({ HOME: '' })).toBeUndefined();
    expect(cacheKeyPath({ HOME: 'home' })).toBeUndefined();
  });

  it('is made on first use, private to this user (file 600, folder 700), and the same afterwards', () => {
    const path = keyPath();
    const key = cacheKey(path);
    expect(key?.length).toBe(32);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(path, '..')).mode & 0o777).toBe(0o700);
    expect(readFileSync(path, 'utf8')).toBe(key!.toString('hex'));
    expect(cacheKey(path)?.equals(key!)).toBe(true);
  });

  it('signs: a signature verifies for its text only, and not with another key', () => {
    const mine = keyPath();
    const other = keyPath();
    const sig = signature('{"a":1}', mine)!;
    expect(sig).toMatch(/^[0-9a-f]{64}$/);
    expect(verifySignature('{"a":1}', sig, mine)).toBe(true);
    expect(verifySignature('{"a":2}', sig, mine)).toBe(false);
    expect(verifySignature('{"a":1}', sig, other)).toBe(false);
    expect(verifySignature('{"a":1}', sig.slice(1), mine)).toBe(false);
  });

  it.each([
    ['others may read it', (p: string) => { writeFileSync(p, 'a'.repeat(64)); chmodSync(p, 0o644); }, /open to other users \(mode 644/],
    ['it is not a key', (p: string) => writeFileSync(p, 'not a key', { mode: 0o600 }), /does not hold a tapctl cache key/],
    ['it is a folder', (p: string) => mkdirSync(p), /is not a plain file/],
  ])('a key file is not used when %s: nothing is signed', (_why, make, problem) => {
    const path = keyPath();
    mkdirSync(join(path, '..'), { recursive: true });
    make(path);
    expect(cacheKey(path)).toBeUndefined();
    expect(cacheKeyProblem(path)).toMatch(problem);
    expect(signature('x', path)).toBeUndefined();
    expect(verifySignature('x', 'a'.repeat(64), path)).toBe(false);
  });

  it('a home that cannot be written gives no key, and no error', () => {
    const path = keyPath();
    const parent = join(path, '..', '..');
    mkdirSync(parent, { recursive: true });
    writeFileSync(join(parent, 'tapctl'), 'a file where the folder would go');
    expect(cacheKey(path)).toBeUndefined();
    expect(cacheKeyProblem(path)).toMatch(/cannot be read \(ENOTDIR\)/);
  });
});
