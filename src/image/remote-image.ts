/**
 * An image tapctl did not build (a pin in the config: container.image), read where it lives without pulling it:
 * does it exist, and for which platforms is it built. The manifest says it: an image index / manifest list names
 * each platform; a single manifest points at a config blob that names its os and architecture.
 *
 * Where it is read from:
 * - ECR in the environment's region (its own repository, or another account's): BatchGetImage for manifests,
 *   the registry API with ECR's token for the config blob;
 * - any other registry the machine can reach (Docker Hub, GHCR, public.ecr.aws, a registry of the company):
 *   the registry API, anonymously or with the Bearer token its challenge offers (public images).
 * A manifest that cannot be read (private registry, no network, an ECR repository in another region) is
 * `unreadable` with the reason: the caller says so, never passes it silently.
 */
import type { AwsClients } from '../aws/clients.js';
import { getManifest, registryCredentials, type ManifestDocument } from '../aws/ecr.js';
import { isTapctlError } from '../cli/errors.js';
import { matchesPlatform, normalizeArchitecture, type Platform } from './platform.js';
import { fetchJsonBlob, fetchManifest, registryEndpointFor, type Fetch, type RegistryApiOptions } from './registry-api.js';

export interface ImageLocation {
  /** The registry host as the reference names it (docker.io for Docker Hub). */
  readonly registry: string;
  /** The repository inside the registry (library/nginx, org/app, shop-app-dev). */
  readonly repository: string;
  /** A digest (sha256:...) or a tag. */
  readonly reference: string;
  /** registry/repository:tag@digest, for messages. */
  readonly display: string;
  /** Set for an ECR registry: its account and region. */
  readonly ecr?: { readonly account: string; readonly region: string };
}

const ECR_HOST = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/;

/**
 * Where an image reference points. A first path segment without a dot, colon or "localhost" is a Docker Hub
 * name (`nginx` is `docker.io/library/nginx`), as Docker reads it.
 */
export function locateImage(repository: string, pin: { tag?: string; digest?: string }): ImageLocation {
  const clean = repository.replace(/^[a-z]+:\/\//, '').replace(/\/+$/, '');
  const first = clean.split('/')[0];
  const hasHost = clean.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  const registry = hasHost ? first : 'docker.io';
  let path = hasHost ? clean.slice(first.length + 1) : clean;
  if (registry === 'docker.io' && !path.includes('/')) path = `library/${path}`;
  const reference = pin.digest ?? pin.tag ?? 'latest';
  const m = ECR_HOST.exec(registry);
  return {
    registry,
    repository: path,
    reference,
    display: `${clean}${pin.tag ? `:${pin.tag}` : ''}${pin.digest ? `@${pin.digest}` : ''}`,
    ...(m ? { ecr: { account: m[1], region: m[2] } } : {}),
  };
}

export type ImageInspection =
  /** Built for the platform; `platforms` lists what the image offers. */
  | { readonly kind: 'match'; readonly platforms: readonly string[]; readonly from: 'index' | 'config' }
  | { readonly kind: 'mismatch'; readonly platforms: readonly string[] }
  | { readonly kind: 'missing'; readonly why: string }
  | { readonly kind: 'unreadable'; readonly why: string };

export interface InspectOptions {
  readonly clients: AwsClients;
  /** The environment's account and region: ECR there is read through its API. */
  readonly account: string;
  readonly region: string;
  /** An emulated environment's registry standing in for ECR's host (config registryEndpoint). */
  readonly registryEndpoint?: string;
  readonly fetch?: Fetch;
  readonly signal?: AbortSignal;
}

interface Source {
  manifest(reference: string): Promise<ManifestDocument>;
  config(digest: string): Promise<{ os?: string; architecture?: string }>;
}

const LIST_TYPES = new Set(['application/vnd.docker.distribution.manifest.list.v2+json', 'application/vnd.oci.image.index.v1+json']);

interface ManifestJson {
  readonly mediaType?: string;
  readonly manifests?: ReadonlyArray<{ digest: string; platform?: { os?: string; architecture?: string } }>;
  readonly config?: { digest: string };
}

/** Reads the image's manifest (and, for a single image, its config blob) and compares it with `platform`. */
export async function inspectImage(where: ImageLocation, platform: Platform, options: InspectOptions): Promise<ImageInspection> {
  let source: Source;
  if (where.ecr && where.ecr.region !== options.region) {
    return { kind: 'unreadable', why: `it is in ECR in ${where.ecr.region}, and tapctl reads ECR only in the environment's region (${options.region})` };
  }
  try {
    source = where.ecr ? await ecrSource(where, options) : registrySource(where, options);
  } catch (e) {
    if (!isTapctlError(e)) throw e;
    return { kind: 'unreadable', why: e.message };
  }
  let top: ManifestDocument;
  try {
    top = await source.manifest(where.reference);
  } catch (e) {
    if (!isTapctlError(e)) throw e;
    return e.code === 'image-not-found' ? { kind: 'missing', why: e.message } : { kind: 'unreadable', why: e.message };
  }
  try {
    const manifest = JSON.parse(top.body) as ManifestJson;
    if (LIST_TYPES.has(top.mediaType || manifest.mediaType || '') || Array.isArray(manifest.manifests)) {
      // BuildKit's attestation manifests are listed as unknown/unknown.
      const entries = (manifest.manifests ?? []).filter((m) => m.platform && m.platform.os !== 'unknown');
      const platforms = entries.map((m) => `${m.platform?.os}/${normalizeArchitecture(m.platform?.architecture)}`);
      return entries.some((m) => matchesPlatform(platform, m.platform!)) ? { kind: 'match', platforms, from: 'index' } : { kind: 'mismatch', platforms };
    }
    if (!manifest.config?.digest) return { kind: 'unreadable', why: `its manifest has no config (media type ${top.mediaType || 'unknown'})` };
    const config = await source.config(manifest.config.digest);
    const found = `${config.os ?? '?'}/${normalizeArchitecture(config.architecture) ?? '?'}`;
    return matchesPlatform(platform, config) ? { kind: 'match', platforms: [found], from: 'config' } : { kind: 'mismatch', platforms: [found] };
  } catch (e) {
    if (isTapctlError(e)) return { kind: 'unreadable', why: e.message };
    if (e instanceof SyntaxError) return { kind: 'unreadable', why: 'its manifest is not JSON' };
    throw e;
  }
}

async function ecrSource(where: ImageLocation, options: InspectOptions): Promise<Source> {
  const registryId = where.ecr!.account;
  let api: RegistryApiOptions | undefined;
  const blobs = async () => {
    if (api) return api;
    const creds = await registryCredentials(options.clients);
    const endpoint = options.registryEndpoint ?? (registryId === options.account ? creds.endpoint : registryEndpointFor(where.registry));
    api = { endpoint, username: creds.username, password: creds.password, ...(options.fetch ? { fetch: options.fetch } : {}), ...(options.signal ? { signal: options.signal } : {}) };
    return api;
  };
  const id = (reference: string) => (reference.startsWith('sha256:') ? { imageDigest: reference } : { imageTag: reference });
  return {
    manifest: (reference) => getManifest(options.clients, where.repository, id(reference), registryId === options.account ? undefined : registryId),
    config: async (digest) => fetchJsonBlob(await blobs(), where.repository, digest),
  };
}

function registrySource(where: ImageLocation, options: InspectOptions): Source {
  const host = where.registry === 'docker.io' ? 'registry-1.docker.io' : where.registry;
  const api: RegistryApiOptions = { endpoint: registryEndpointFor(host), ...(options.fetch ? { fetch: options.fetch } : {}), ...(options.signal ? { signal: options.signal } : {}) };
  return {
    manifest: (reference) => fetchManifest(api, where.repository, reference),
    config: (digest) => fetchJsonBlob(api, where.repository, digest),
  };
}
