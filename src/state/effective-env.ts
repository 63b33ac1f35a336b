/**
 * The environment as it will really be deployed: the config, plus the image push-image last recorded when the
 * config names none. synth, diff and deploy all use this, so an infrastructure-only deploy never rolls the
 * service back to an older image (or to none).
 */
import type { ResolvedEnvironment } from '../config/resolve.js';
import { readPushedImage } from './work-dir.js';

export function withPushedImage(env: ResolvedEnvironment, projectDir: string): ResolvedEnvironment {
  const configured = env.container.image;
  if (configured.tag || configured.digest || configured.repository) return env;
  const pushed = readPushedImage(projectDir, env.name);
  if (!pushed) return env;
  return Object.freeze({
    ...env,
    container: Object.freeze({ ...env.container, image: Object.freeze({ tag: pushed.tag, digest: pushed.digest }) }),
  }) as ResolvedEnvironment;
}
