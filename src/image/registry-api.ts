/**
 * Just enough of the registry HTTP API (Distribution v2) to read an image's config blob: ECR's BatchGetImage
 * returns manifests but not blobs, and the config blob is where a single-platform image says its architecture.
 * ECR accepts the same basic credentials (AWS:<token>) here; its blob answers redirect to S3, followed without
 * the Authorization header (a presigned URL refuses a second credential, and it must not leak to another host).
 */
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
  const doFetch = options.fetch ?? fetch;
  const authorization = `Basic ${Buffer.from(`${options.username}:${options.password}`).toString('base64')}`;
  let url = `${options.endpoint.replace(/\/+$/, '')}/v2/${repository}/blobs/${digest}`;
  const origin = new URL(url).origin;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    let response: Response;
    try {
      response = await doFetch(url, {
        headers: new URL(url).origin === origin ? { authorization } : {},
        redirect: 'manual',
        signal: options.signal,
      });
    } catch (e) {
      throw new OperationError(`could not reach the registry to read ${digest}: ${(e as Error).message}`, { code: 'network', cause: e });
    }
    if (response.status >= 300 && response.status < 400) {
      const location = response.headers.get('location');
      if (!location) break;
      url = new URL(location, url).toString();
      continue;
    }
    if (!response.ok) {
      throw new OperationError(`the registry answered ${response.status} for blob ${digest} of ${repository}`, { code: 'registry' });
    }
    const text = await response.text();
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new OperationError(`blob ${digest} of ${repository} is not JSON`, { code: 'registry' });
    }
  }
  throw new OperationError(`the registry redirected too often for blob ${digest}`, { code: 'registry' });
}
