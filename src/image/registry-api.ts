/**
 * Just enough of the registry HTTP API (Distribution v2, https://distribution.github.io/distribution/spec/api/)
 * to read images:
 * - a config blob: ECR's BatchGetImage returns manifests but not blobs, and the config blob is where a
 *   single-platform image says its architecture;
 * - a manifest by tag or digest, with its digest: an emulated environment's registry (config registryEndpoint),
 *   and any registry a pinned image lives in (Docker Hub, GHCR, public ECR ...);
 * - a layer blob as a stream, for the file list of a pushed image (image-files.ts).
 * ECR accepts basic credentials (AWS:<token>); other registries answer 401 with a Bearer challenge, and an
 * anonymous token from the challenge's realm reads public images (the token flow of
 * https://distribution.github.io/distribution/spec/auth/token/). Blob answers may redirect to storage (S3, a
 * CDN), followed without the Authorization header (a presigned URL refuses a second credential, and it must not
 * leak to another host).
 */
import { createHash } from 'node:crypto';
import { MANIFEST_MEDIA_TYPES } from '../aws/ecr.js';
import { OperationError } from '../cli/errors.js';

export type Fetch = typeof fetch;

export interface RegistryApiOptions {
  /** https://host or http://host:port */
  readonly endpoint: string;
  /** Basic credentials (ECR's AWS:<token>); without them, anonymous (a Bearer token when the registry asks). */
  readonly username?: string;
  readonly password?: string;
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
  if (response.status === 404) throw new OperationError(`the registry has no ${what}`, { code: 'image-not-found' });
  if (response.status === 401 || response.status === 403) throw new OperationError(`the registry refused to show ${what} (HTTP ${response.status}): it wants credentials tapctl does not have`, { code: 'registry-auth' });
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

/** GET /v2/<repository>/blobs/<digest> as a stream of its bytes (a layer: gzip'd tar). */
export async function fetchBlobStream(options: RegistryApiOptions, repository: string, digest: string): Promise<ReadableStream<Uint8Array>> {
  const response = await registryGet(options, `/v2/${repository}/blobs/${digest}`, {}, `read ${digest}`);
  if (!response.ok || !response.body) throw new OperationError(`the registry answered ${response.status} for blob ${digest} of ${repository}`, { code: 'registry' });
  return response.body;
}

/** The registry's HTTP endpoint for a host: plain http only for this machine (as Docker treats localhost). */
export function registryEndpointFor(host: string): string {
  return /^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/.test(host) ? `http://${host}` : `https://${host}`;
}

/** Bearer tokens per realm and scope, for the options object they were fetched with. */
const tokens = new WeakMap<RegistryApiOptions, Map<string, string>>();

/**
 * A token for a Bearer challenge (`WWW-Authenticate: Bearer realm="...",service="...",scope="..."`): anonymous,
 * or with the basic credentials when there are some.
 */
async function bearerToken(options: RegistryApiOptions, challenge: string, purpose: string): Promise<string | undefined> {
  const params = Object.fromEntries([...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1].toLowerCase(), m[2]]));
  if (!/^Bearer/i.test(challenge) || !params.realm) return undefined;
  const key = `${params.realm}|${params.service ?? ''}|${params.scope ?? ''}`;
  const cached = tokens.get(options)?.get(key);
  if (cached) return cached;
  const url = new URL(params.realm);
  if (params.service) url.searchParams.set('service', params.service);
  if (params.scope) url.searchParams.set('scope', params.scope);
  const headers: Record<string, string> = options.username ? { authorization: basic(options) } : {};
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(url, { headers, signal: options.signal });
  } catch (e) {
    throw new OperationError(`could not reach the registry's token service to ${purpose}: ${(e as Error).message}`, { code: 'network', cause: e });
  }
  if (!response.ok) return undefined;
  const body = (await response.json().catch(() => ({}))) as { token?: string; access_token?: string };
  const token = body.token ?? body.access_token;
  if (token) {
    if (!tokens.has(options)) tokens.set(options, new Map());
    tokens.get(options)!.set(key, token);
  }
  return token;
}

const basic = (o: RegistryApiOptions) => `Basic ${Buffer.from(`${o.username ?? ''}:${o.password ?? ''}`).toString('base64')}`;

/**
 * One GET on the registry's own origin, with basic auth when there are credentials; a 401 with a Bearer
 * challenge is answered once with a token. Redirects elsewhere are followed without any Authorization.
 */
async function registryGet(options: RegistryApiOptions, path: string, headers: Record<string, string>, purpose: string): Promise<Response> {
  const first = await registryGetWith(options, path, headers, purpose, options.username !== undefined ? basic(options) : undefined);
  if (first.status !== 401) return first;
  const challenge = first.headers.get('www-authenticate') ?? '';
  const token = await bearerToken(options, challenge, purpose);
  return token ? registryGetWith(options, path, headers, purpose, `Bearer ${token}`) : first;
}

async function registryGetWith(options: RegistryApiOptions, path: string, headers: Record<string, string>, purpose: string, authorization: string | undefined): Promise<Response> {
  const doFetch = options.fetch ?? fetch;
  let url = `${options.endpoint.replace(/\/+$/, '')}${path}`;
  const origin = new URL(url).origin;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    let response: Response;
    try {
      response = await doFetch(url, {
        headers: new URL(url).origin === origin && authorization ? { ...headers, authorization } : headers,
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
