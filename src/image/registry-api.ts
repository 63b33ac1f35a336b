/**
 * Just enough of the registry HTTP API (Distribution v2, https://distribution.github.io/distribution/spec/api/)
 * to read what a push wrote:
 * - a config blob: ECR's BatchGetImage returns manifests but not blobs, and the config blob is where a
 *   single-platform image says its architecture;
 * - a manifest by tag, with its digest: only for an emulated environment's registry (config registryEndpoint),
 *   whose manifests tapctl then registers in the emulated ECR (see emulated-registry.ts).
 * ECR accepts the same basic credentials (AWS:<token>) here; its blob answers redirect to S3, followed without
 * the Authorization header (a presigned URL refuses a second credential, and it must not leak to another host).
 */
import { createHash } from 'node:crypto';
import { MANIFEST_MEDIA_TYPES } from '../aws/ecr.js';
import { OperationError } from '../cli/errors.js';

export type Fetch = typeof fetch;

export interface RegistryApiOptions {
  /** https://host or http://host:port */
  readonly endpoint: string;
  readonly username: string;
  readonly password: string;
  readonly fetch?: Fetch;
  readonly signal?: AbortSignal;
}

const MAX_REDIRECTS = 5;

/** GET /v2/<repository>/blobs/<digest>, parsed as JSON (config blobs are small JSON documents). */
export async function fetchJsonBlob<T>(options: RegistryApiOptions, repository: string, digest: string): Promise<T> {
  const what = `blob ${digest} of ${repository}`;
  const response = await registryGet(options, `/v2/${repository}/blobs/${digest}`, {}, `read ${digest}`);
  if (!response.ok) {
    throw new OperationError(`the registry answered ${response.status} for ${what}`, { code: 'registry' });
  }
  const text = await response.text();
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new OperationError(`${what} is not JSON`, { code: 'registry' });
  }
}

export interface RegistryManifest {
  /** sha256:<hex> of the manifest bytes, checked against the registry's Docker-Content-Digest header. */
  readonly digest: string;
  readonly mediaType: string;
  /** The manifest exactly as the registry stores it (its digest is over these bytes). */
  readonly body: string;
}

/** GET /v2/<repository>/manifests/<tag or digest>, accepting every manifest type a builder may push. */
export async function fetchManifest(options: RegistryApiOptions, repository: string, reference: string): Promise<RegistryManifest> {
  const what = `manifest ${repository}:${reference}`;
  const response = await registryGet(options, `/v2/${repository}/manifests/${reference}`, { accept: MANIFEST_MEDIA_TYPES.join(', ') }, `read ${what}`);
  if (response.status === 404) throw new OperationError(`the registry has no ${what} after the push`, { code: 'image-not-found' });
  if (!response.ok) throw new OperationError(`the registry answered ${response.status} for ${what}`, { code: 'registry' });
  const bytes = Buffer.from(await response.arrayBuffer());
  const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  const announced = response.headers.get('docker-content-digest');
  if (announced && announced !== digest) {
    throw new OperationError(`the registry says ${what} is ${announced}, but its bytes hash to ${digest}`, { code: 'digest-mismatch' });
  }
  const body = bytes.toString('utf8');
  const mediaType = response.headers.get('content-type')?.split(';')[0].trim() || ((JSON.parse(body) as { mediaType?: string }).mediaType ?? '');
  return { digest, mediaType, body };
}

/** One GET with basic auth on the registry's own origin, following redirects without it elsewhere. */
async function registryGet(options: RegistryApiOptions, path: string, headers: Record<string, string>, purpose: string): Promise<Response> {
  const doFetch = options.fetch ?? fetch;
  const authorization = `Basic ${Buffer.from(`${options.username}:${options.password}`).toString('base64')}`;
  let url = `${options.endpoint.replace(/\/+$/, '')}${path}`;
  const origin = new URL(url).origin;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    let response: Response;
    try {
      response = await doFetch(url, {
        headers: new URL(url).origin === origin ? { ...headers, authorization } : headers,
        redirect: 'manual',
        signal: options.signal,
      });
    } catch (e) {
      throw new OperationError(`could not reach the registry to ${purpose}: ${(e as Error).message}`, { code: 'network', cause: e });
    }
    if (response.status >= 300 && response.status < 400) {
      const location = response.headers.get('location');
      if (!location) return response;
      url = new URL(location, url).toString();
      continue;
    }
    return response;
  }
  throw new OperationError(`the registry redirected too often to ${purpose}`, { code: 'registry' });
}
