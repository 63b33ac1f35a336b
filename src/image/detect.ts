/**
 * Which builder push-image uses.
 *
 * Order when the choice is `auto` (documented in `--help` and the README):
 *   1. docker  - only when its engine answers (`docker info`): the client alone cannot build or push;
 *   2. podman, 3. buildah, 4. finch - the first one on PATH.
 * `--builder` wins over config `container.builder`. Nothing usable is a setup problem: exit 2, naming them all.
 */
import { UsageError } from '../cli/errors.js';
import { BUILDER_NAMES, type BuilderDeps, type BuilderName, type ImageBuilder } from './builder.js';
import { BuildahBuilder, type BuildahOptions } from './builders/buildah.js';
import { DockerBuilder } from './builders/docker.js';
import { FinchBuilder } from './builders/finch.js';
import { PodmanBuilder } from './builders/podman.js';
import type { Spawn, Which } from './exec.js';

export const DETECTION_ORDER: readonly BuilderName[] = ['docker', 'podman', 'buildah', 'finch'];

export type BuilderChoice = BuilderName | 'auto';

export interface DetectOptions {
  /** `--builder`, else config `container.builder`. */
  readonly choice: BuilderChoice;
  readonly which: Which;
  /** Does the docker engine answer? Default: `docker info` exits 0 within 10 s. */
  readonly dockerEngineAnswers: () => Promise<boolean>;
}

export interface Detected {
  readonly name: BuilderName;
  /** Why this one: "chosen with --builder" / "first available: docker engine not running, podman found". */
  readonly reason: string;
}

export async function detectBuilder(options: DetectOptions): Promise<Detected> {
  const { choice, which } = options;
  if (choice !== 'auto') {
    if (!which(choice)) {
      throw new UsageError(`the container builder '${choice}' is not installed (not on PATH)`, {
        hint: `install ${choice}, or set container.builder / --builder to auto or another of: ${BUILDER_NAMES.join(', ')}`,
      });
    }
    if (choice === 'docker' && !(await options.dockerEngineAnswers())) {
      throw new UsageError('docker is installed but its engine does not answer (docker info failed)', {
        hint: 'start Docker (Docker Desktop, colima, dockerd), or use --builder podman / buildah / finch',
      });
    }
    return { name: choice, reason: 'chosen' };
  }

  const skipped: string[] = [];
  for (const name of DETECTION_ORDER) {
    if (!which(name)) {
      skipped.push(`${name} not installed`);
      continue;
    }
    if (name === 'docker' && !(await options.dockerEngineAnswers())) {
      skipped.push('docker installed but its engine is not running');
      continue;
    }
    return { name, reason: skipped.length ? `detected (${skipped.join(', ')})` : 'detected' };
  }
  throw new UsageError(`no container builder found: push-image needs one of ${DETECTION_ORDER.join(', ')} (${skipped.join('; ')})`, {
    hint: 'install one (e.g. apt-get install buildah, or Docker Desktop / podman / finch), or start the Docker engine',
  });
}

/** The docker engine probe: `docker info` answers within 10 s. */
export function dockerInfoProbe(spawn: Spawn, env: NodeJS.ProcessEnv): () => Promise<boolean> {
  return async () => (await spawn({ command: 'docker', args: ['info', '--format', '{{.ServerVersion}}'], env, timeoutMs: 10_000 })).code === 0;
}

export interface CreateBuilderOptions extends BuilderDeps {
  readonly buildah?: BuildahOptions;
}

export function createBuilder(name: BuilderName, options: CreateBuilderOptions): ImageBuilder {
  const deps: BuilderDeps = { spawn: options.spawn, env: options.env };
  switch (name) {
    case 'docker':
      return new DockerBuilder(deps);
    case 'podman':
      return new PodmanBuilder(deps);
    case 'buildah':
      return new BuildahBuilder(deps, options.buildah);
    case 'finch':
      return new FinchBuilder(deps);
  }
}
