/**
 * Buildah: daemonless and rootful-friendly, the builder of CI machines without a Docker engine. Storage and
 * isolation come from buildah's own environment variables (STORAGE_DRIVER, BUILDAH_ISOLATION) unless given
 * here; tests pass a private vfs store and chroot isolation.
 */
import {
  commonBuildFlags,
  runStep,
  type BuildRequest,
  type BuilderDeps,
} from '../builder.js';
import { ContainersToolBuilder } from './podman.js';

export interface BuildahOptions {
  /** --root: image storage folder. */
  readonly root?: string;
  /** --runroot: runtime state folder. */
  readonly runroot?: string;
  /** --storage-driver (vfs works everywhere, overlay is faster where the kernel allows it). */
  readonly storageDriver?: string;
  /** bud --isolation: chroot needs no OCI runtime and works inside containers. */
  readonly isolation?: 'oci' | 'chroot' | 'rootless';
}

export class BuildahBuilder extends ContainersToolBuilder {
  readonly name = 'buildah' as const;

  constructor(
    deps: BuilderDeps,
    private readonly options: BuildahOptions = {},
  ) {
    super(deps);
  }

  async describe(): Promise<string> {
    const isolation = this.options.isolation ?? this.deps.env.BUILDAH_ISOLATION;
    return isolation ? `buildah bud (${isolation} isolation)` : 'buildah bud';
  }

  protected override globalFlags(): string[] {
    const o = this.options;
    return [
      ...(o.root ? ['--root', o.root] : []),
      ...(o.runroot ? ['--runroot', o.runroot] : []),
      ...(o.storageDriver ? ['--storage-driver', o.storageDriver] : []),
    ];
  }

  async build(request: BuildRequest): Promise<void> {
    const args = [
      ...this.globalFlags(),
      'bud',
      ...(this.options.isolation ? ['--isolation', this.options.isolation] : []),
      // Docker's format keeps HEALTHCHECK and SHELL, which the OCI format drops.
      ...commonBuildFlags(request, ['--format', 'docker']),
    ];
    await runStep(this.deps.spawn, { command: 'buildah', args, env: this.deps.env, onLine: request.onLine, signal: request.signal }, 'image build');
  }
}
