/** This user's config and cache folders (state/user-folders.ts): only absolute, only this user's. */
import { chownSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { userFolder } from '../../src/state/user-folders.js';

let home: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'tapctl-home-'));
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

describe('userFolder', () => {
  it('is $XDG_*_HOME when absolute, else ~/.config or ~/.cache (there or not yet)', () => {
    expect(userFolder('config', { HOME: home })).toBe(join(home, '.config'));
    expect(userFolder('cache', { HOME: home })).toBe(join(home, '.cache'));
    expect(userFolder('cache', { HOME: home, XDG_CACHE_HOME: join(home, 'xdg') })).toBe(join(home, 'xdg'));
    // A relative XDG path is invalid (the spec): the default under HOME.
    expect(userFolder('config', { HOME: home, XDG_CONFIG_HOME: 'conf' })).toBe(join(home, '.config'));
  });

  it('is none for an empty or relative HOME: never a folder under the current one (the project)', () => {
    expect(userFolder('config', { HOME: '' })).toBeUndefined();
    expect(userFolder('cache', { HOME: 'relative/home' })).toBeUndefined();
  });

  it('is none for a HOME that is not there: tapctl does not make homes', () => {
    expect(userFolder('cache', { HOME: join(home, 'missing') })).toBeUndefined();
  });

  it.skipIf(process.getuid?.() !== 0)("is none in another user's folder (sudo keeping the caller's HOME), as root", () => {
    const theirs = join(home, 'theirs');
    mkdirSync(theirs);
    chownSync(theirs, 65534, 65534);
    expect(userFolder('cache', { HOME: theirs })).toBeUndefined();
    expect(userFolder('config', { HOME: home, XDG_CONFIG_HOME: theirs })).toBeUndefined();
    mkdirSync(join(home, '.cache'));
    chownSync(join(home, '.cache'), 65534, 65534);
    expect(userFolder('cache', { HOME: home })).toBeUndefined();
  });
});
