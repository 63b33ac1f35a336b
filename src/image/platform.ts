/** The target platform of the image: always explicit, from the task's CPU architecture. */

export type TaskArchitecture = 'x86_64' | 'arm64';

export interface Platform {
  /** `linux/amd64` or `linux/arm64`, as builders and manifest lists spell it. */
  readonly id: string;
  readonly os: 'linux';
  /** The OCI / Docker architecture name. */
  readonly architecture: 'amd64' | 'arm64';
}

/** Fargate's X86_64 runs linux/amd64 images, ARM64 runs linux/arm64, whatever the machine that builds. */
export function platformFor(architecture: TaskArchitecture): Platform {
  return architecture === 'arm64'
    ? { id: 'linux/arm64', os: 'linux', architecture: 'arm64' }
    : { id: 'linux/amd64', os: 'linux', architecture: 'amd64' };
}

/** Whether an image config's (or manifest-list entry's) os/architecture is the one wanted. */
export function matchesPlatform(platform: Platform, found: { os?: string; architecture?: string }): boolean {
  return found.os === platform.os && normalizeArchitecture(found.architecture) === platform.architecture;
}

/** Names other tools use for the same architectures. */
export function normalizeArchitecture(arch: string | undefined): string | undefined {
  if (arch === 'x86_64' || arch === 'x86-64') return 'amd64';
  if (arch === 'aarch64') return 'arm64';
  return arch;
}
