/**
 * After a push, read the image back from ECR and check it is what was meant to be pushed: the digest the tag
 * resolves to, its size, and an architecture that matches the task's platform. A manifest list must hold an
 * entry for the platform; a single manifest's config blob must name it.
 */
import type { AwsClients } from '../aws/clients.js';
import { describeImage, getManifest, type EcrCredentials, type RepositoryRef, type RetryOptions } from '../aws/ecr.js';
import { OperationError } from '../cli/errors.js';
import { matchesPlatform, normalizeArchitecture, type Platform } from './platform.js';
import { fetchJsonBlob, type Fetch } from './registry-api.js';

export interface ReadBackRequest {
  readonly repository: RepositoryRef;
  readonly tag: string;
  readonly platform: Platform;
  readonly credentials: EcrCredentials;
  /** The digest the builder reported for its push, when it did. */
  readonly builderDigest?: string;
  readonly fetch?: Fetch;
  readonly retry?: RetryOptions;
  readonly signal?: AbortSignal;
}

export interface PushedImageFacts {
  /** What the tag resolves to (a manifest list's digest for multi-platform pushes). */
  readonly digest: string;
  /** The platform's own manifest inside a list, when the tag points at a list. */
  readonly platformDigest?: string;
  readonly mediaType: string;
  readonly sizeBytes?: number;
  readonly pushedAt: string;
  readonly os: string;
  readonly architecture: string;
}

interface ManifestJson {
  readonly mediaType?: string;
  readonly manifests?: ReadonlyArray<{ digest: string; platform?: { os?: string; architecture?: string; variant?: string } }>;
  readonly config?: { digest: string; size?: number };
  readonly layers?: ReadonlyArray<{ size?: number }>;
}

const LIST_TYPES = new Set(['application/vnd.docker.distribution.manifest.list.v2+json', 'application/vnd.oci.image.index.v1+json']);

export async function readBackImage(clients: AwsClients, request: ReadBackRequest): Promise<PushedImageFacts> {
  const { repository, tag, platform } = request;
  const detail = await describeImage(clients, repository.name, { imageTag: tag }, request.retry);
  const digest = detail.imageDigest;
  if (!digest) throw new OperationError(`ECR reports no digest for ${repository.uri}:${tag}`, { code: 'image-not-found' });
  if (request.builderDigest && request.builderDigest !== digest) {
    throw new OperationError(
      `${repository.uri}:${tag} resolves to ${digest}, but the push wrote ${request.builderDigest}: something else pushed the same tag`,
      { code: 'digest-mismatch', hint: 'push again; use a unique --tag if several jobs push at once' },
    );
  }

  const top = await getManifest(clients, repository.name, { imageDigest: digest });
  const manifest = JSON.parse(top.body) as ManifestJson;
  const mediaType = top.mediaType || manifest.mediaType || '';

  let os: string;
  let architecture: string;
  let platformDigest: string | undefined;
  let single: ManifestJson = manifest;
  if (LIST_TYPES.has(mediaType) || Array.isArray(manifest.manifests)) {
    const entries = manifest.manifests ?? [];
    const entry = entries.find((m) => m.platform && matchesPlatform(platform, m.platform));
    if (!entry) {
      const found = entries
        .map((m) => `${m.platform?.os ?? '?'}/${m.platform?.architecture ?? '?'}`)
        // BuildKit's attestation manifests are listed as unknown/unknown.
        .filter((p) => p !== 'unknown/unknown');
      throw platformMismatch(repository, tag, platform, found.join(', ') || 'no platform');
    }
    platformDigest = entry.digest;
    os = entry.platform?.os ?? platform.os;
    architecture = normalizeArchitecture(entry.platform?.architecture) ?? platform.architecture;
    single = JSON.parse((await getManifest(clients, repository.name, { imageDigest: entry.digest })).body) as ManifestJson;
  } else {
    if (!manifest.config?.digest) {
      throw new OperationError(`the manifest of ${repository.uri}:${tag} has no config (media type ${mediaType || 'unknown'})`, { code: 'registry' });
    }
    const config = await fetchJsonBlob<{ os?: string; architecture?: string }>(
      { endpoint: request.credentials.endpoint, username: request.credentials.username, password: request.credentials.password, fetch: request.fetch, signal: request.signal },
      repository.name,
      manifest.config.digest,
    );
    os = config.os ?? '?';
    architecture = normalizeArchitecture(config.architecture) ?? '?';
    if (!matchesPlatform(platform, { os, architecture })) throw platformMismatch(repository, tag, platform, `${os}/${architecture}`);
  }

  const layerBytes = (single.layers ?? []).reduce((sum, l) => sum + (l.size ?? 0), 0) + (single.config?.size ?? 0);
  const sizeBytes = detail.imageSizeInBytes ?? (layerBytes > 0 ? layerBytes : undefined);
  return {
    digest,
    ...(platformDigest ? { platformDigest } : {}),
    mediaType,
    ...(sizeBytes !== undefined ? { sizeBytes } : {}),
    pushedAt: (detail.imagePushedAt ?? new Date()).toISOString(),
    os,
    architecture,
  };
}

function platformMismatch(repository: RepositoryRef, tag: string, platform: Platform, found: string): OperationError {
  return new OperationError(`${repository.uri}:${tag} is built for ${found}, but the service runs ${platform.id}`, {
    code: 'platform-mismatch',
    hint: `the builder ignored --platform ${platform.id}; check the Dockerfile's FROM --platform lines and container.architecture`,
  });
}
