/**
 * Which container image a deploy runs: the one the config names, else the one push-image recorded, else none
 * yet (the first, two-phase deploy: the stack creates the repository and runs the service with zero tasks).
 *
 * Taking the recorded image when the config names none means an infrastructure-only deploy never rolls the
 * service back to an older image.
 */
import { PRESET_PARTS } from '../config/presets/index.js';
import type { ResolvedEnvironment } from '../config/resolve.js';
import { readPushedImage } from '../state/work-dir.js';

export interface ImagePlan {
  readonly source: 'config' | 'push-image' | 'none';
  /** Set when the image lives outside the stack's own ECR repository. */
  readonly repository?: string;
  readonly tag?: string;
  readonly digest?: string;
  /** What a person reads: repository:tag@digest, or "none yet". */
  readonly display: string;
}

/** The stack's own repository, as push-image records it. */
export function ownRepositoryUri(env: ResolvedEnvironment): string {
  const host = `${env.account}.dkr.ecr.${env.region}.amazonaws.com`;
  return `${host}/${env.names.ecrRepository}`;
}

/**
 * The image plan and the environment to synthesize: a copy of `env` with container.image set from the
 * push-image record when the config sets none (the resolved environment is frozen and stays untouched).
 * `warn` hears about a record that was ignored.
 */
export function resolveImage(env: ResolvedEnvironment, projectDir: string, warn?: (message: string) => void): { env: ResolvedEnvironment; image: ImagePlan } {
  if (!PRESET_PARTS[env.preset].service) return { env, image: { source: 'none', display: `not used (the ${env.preset} preset runs no container service)` } };
  const configured = env.container.image;
  if (configured.tag || configured.digest) {
    return { env, image: plan('config', configured.repository, configured.tag, configured.digest, env) };
  }
  // A damaged record, or one naming another registry, is ignored (with a warning): never in a task definition.
  const pushed = readPushedImage(projectDir, env, warn ? { onInvalid: warn } : {});
  if (!pushed || !(pushed.tag || pushed.digest)) return { env, image: { source: 'none', display: 'none yet' } };
  const repository = pushed.repositoryUri && pushed.repositoryUri !== ownRepositoryUri(env) ? pushed.repositoryUri : undefined;
  const image = {
    ...(repository ? { repository } : {}),
    ...(pushed.tag ? { tag: pushed.tag } : {}),
    ...(pushed.digest ? { digest: pushed.digest } : {}),
  };
  const withImage = { ...env, container: { ...env.container, image } } as ResolvedEnvironment;
  return { env: Object.freeze(withImage), image: plan('push-image', repository, pushed.tag, pushed.digest, env) };
}

function plan(source: ImagePlan['source'], repository: string | undefined, tag: string | undefined, digest: string | undefined, env: ResolvedEnvironment): ImagePlan {
  const repo = repository ?? ownRepositoryUri(env);
  const display = `${repo}${tag ? `:${tag}` : ''}${digest ? `@${digest}` : ''}`;
  return { source, ...(repository ? { repository } : {}), ...(tag ? { tag } : {}), ...(digest ? { digest } : {}), display };
}
