/** Builder detection: the documented order, with a fake PATH and a fake docker engine probe. */
import { describe, expect, it, vi } from 'vitest';
import { ExitCode, UsageError } from '../../src/cli/errors.js';
import { DETECTION_ORDER, detectBuilder } from '../../src/image/detect.js';

const onPath = (...names: string[]) => (name: string) => (names.includes(name) ? `/usr/bin/${name}` : undefined);

describe('detectBuilder (auto)', () => {
  it('documents the order docker, podman, buildah, finch', () => {
    expect(DETECTION_ORDER).toEqual(['docker', 'podman', 'buildah', 'finch']);
  });

  it('picks docker when its engine answers', async () => {
    const probe = vi.fn(async () => true);
    expect((await detectBuilder({ choice: 'auto', which: onPath('docker', 'podman', 'buildah', 'finch'), dockerEngineAnswers: probe })).name).toBe('docker');
    expect(probe).toHaveBeenCalledOnce();
  });

  it('skips an installed docker whose engine does not answer', async () => {
    const d = await detectBuilder({ choice: 'auto', which: onPath('docker', 'buildah'), dockerEngineAnswers: async () => false });
    expect(d.name).toBe('buildah');
    expect(d.reason).toContain('engine is not running');
  });

  it('prefers podman over buildah over finch', async () => {
    const none = async () => false;
    expect((await detectBuilder({ choice: 'auto', which: onPath('finch', 'buildah', 'podman'), dockerEngineAnswers: none })).name).toBe('podman');
    expect((await detectBuilder({ choice: 'auto', which: onPath('finch', 'buildah'), dockerEngineAnswers: none })).name).toBe('buildah');
    expect((await detectBuilder({ choice: 'auto', which: onPath('finch'), dockerEngineAnswers: none })).name).toBe('finch');
  });

  it('never probes docker when it is not installed', async () => {
    const probe = vi.fn(async () => true);
    await detectBuilder({ choice: 'auto', which: onPath('podman'), dockerEngineAnswers: probe });
    expect(probe).not.toHaveBeenCalled();
  });

  it('none installed: one usage error (exit 2) naming every builder', async () => {
    const error = await detectBuilder({ choice: 'auto', which: onPath(), dockerEngineAnswers: async () => false }).catch((e) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect(error.exitCode).toBe(ExitCode.Usage);
    for (const name of DETECTION_ORDER) expect(error.message).toContain(name);
  });
});

describe('detectBuilder (chosen)', () => {
  it('uses the chosen builder even when an earlier one is available', async () => {
    expect((await detectBuilder({ choice: 'finch', which: onPath('docker', 'finch'), dockerEngineAnswers: async () => true })).name).toBe('finch');
  });

  it('a chosen builder that is not installed is a usage error naming it', async () => {
    await expect(detectBuilder({ choice: 'podman', which: onPath('docker'), dockerEngineAnswers: async () => true })).rejects.toThrow(/'podman' is not installed/);
  });

  it('chosen docker without an engine says so', async () => {
    await expect(detectBuilder({ choice: 'docker', which: onPath('docker'), dockerEngineAnswers: async () => false })).rejects.toThrow(/engine does not answer/);
  });
});
