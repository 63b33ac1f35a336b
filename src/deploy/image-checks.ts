/**
 * The pinned image (container.image), which tapctl did not build: read where it lives (remote-image.ts) and
 * checked for existence and for the task's platform before anything changes. A mismatch is refused (exit 3):
 * Fargate would fail every task with "exec format error"; an image that does not exist fails (exit 1); one whose
 * manifest cannot be read is a warning that says why, never a silent pass.
 */
import type { AwsClients } from '../aws/clients.js';
import { OperationError, RefusedError } from '../cli/errors.js';
import type { ResolvedEnvironment } from '../config/resolve.js';
import { platformFor } from '../image/platform.js';
import type { ImagePlan } from '../release/running-image.js';
import { ownRepositoryUri, pinOrigin } from '../release/running-image.js';

export const IMAGE_PLATFORM_CHECK = 'image platform';

export interface ImageCheckReport {
  readonly status: 'pass' | 'warn' | 'skip';
  readonly detail: string;
}

export interface ImageCheckOptions {
  readonly fetch?: typeof fetch;
  readonly signal?: AbortSignal;
}

/** The check for a pinned image; `skip` for any other source (tapctl built and checked those at push-image). */
export async function checkPinnedImage(clients: AwsClients, env: ResolvedEnvironment, plan: ImagePlan, options: ImageCheckOptions = {}): Promise<ImageCheckReport> {
  if (plan.source !== 'config') return { status: 'skip', detail: plan.source === 'release' ? 'built by tapctl push-image, which checked its platform' : 'no image pinned in the config' };
  const { inspectImage, locateImage } = await import('../image/remote-image.js');
  const platform = platformFor(env.container.architecture);
  const where = locateImage(plan.repository ?? ownRepositoryUri(env), plan);
  const found = await inspectImage(where, platform, {
    clients,
    account: env.account,
    region: env.region,
    ...(env.registryEndpoint ? { registryEndpoint: env.registryEndpoint } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  switch (found.kind) {
    case 'match':
      return { status: 'pass', detail: `${where.display} runs on ${platform.id} (${found.from === 'index' ? `its index lists ${found.platforms.join(', ')}` : 'its image config'})` };
    case 'mismatch':
      throw new RefusedError(`image ${where.display} is built for ${found.platforms.join(', ') || 'no platform'}, but the task of '${env.name}' runs ${platform.id} (container.architecture: ${env.container.architecture}): every task would fail to start`, {
        hint: `pin an image built for ${platform.id} (docker buildx build --platform ${platform.id}), or set container.architecture to match the image`,
        details: { image: where.display, platforms: found.platforms, task: platform.id },
      });
    case 'missing':
      throw new OperationError(`image ${where.display}, pinned in ${pinOrigin(env).name}, does not exist: ${found.why}`, {
        code: 'image-missing',
        hint: `${pinOrigin(env).fix}, or push the image first`,
      });
    case 'unreadable':
      return { status: 'warn', detail: `the manifest of ${where.display} could not be read (${found.why}): whether it exists and runs on ${platform.id} is not checked` };
  }
}
