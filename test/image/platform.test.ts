import { describe, expect, it } from 'vitest';
import { matchesPlatform, platformFor } from '../../src/image/platform.js';

describe('platformFor', () => {
  it('x86_64 tasks run linux/amd64 images', () => {
    expect(platformFor('x86_64')).toEqual({ id: 'linux/amd64', os: 'linux', architecture: 'amd64' });
  });
  it('arm64 tasks run linux/arm64 images', () => {
    expect(platformFor('arm64')).toEqual({ id: 'linux/arm64', os: 'linux', architecture: 'arm64' });
  });
});

describe('matchesPlatform', () => {
  it('accepts the aliases other tools use', () => {
    expect(matchesPlatform(platformFor('x86_64'), { os: 'linux', architecture: 'x86_64' })).toBe(true);
    expect(matchesPlatform(platformFor('arm64'), { os: 'linux', architecture: 'aarch64' })).toBe(true);
  });
  it('refuses another architecture or os', () => {
    expect(matchesPlatform(platformFor('x86_64'), { os: 'linux', architecture: 'arm64' })).toBe(false);
    expect(matchesPlatform(platformFor('arm64'), { os: 'windows', architecture: 'arm64' })).toBe(false);
  });
});
