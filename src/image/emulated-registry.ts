/**
 * push-image in an emulated environment (config `registryEndpoint`, valid only beside `endpoint`).
 *
 * The stack's repository URI names `<account>.dkr.ecr.<region>.amazonaws.com`, and so does the ECR token's
 * proxyEndpoint: an emulator answers ECR's API but cannot serve that host. `registryEndpoint` names the real
 * registry that stands in for it. Every check stays real; only the host the bytes go to changes.
 *
 * | step | reads / writes | where |
 * |---|---|---|
 * | login credentials | GetAuthorizationToken | emulated ECR (the password goes to the builder on stdin) |
 * | same-registry check | token proxyEndpoint vs the stack's ECRRepositoryURI | emulated ECR + CloudFormation |
 * | build tags, login, push | `<registryEndpoint host>/<repository>:<tag>` | the registry |
 * | manifest and digest per tag | GET /v2/<repository>/manifests/<tag> (digest = sha256 of the bytes) | the registry |
 * | registration | PutImage with the same manifest bytes, digest and tag | emulated ECR |
 * | digest, size, push time | DescribeImages (must equal the registry's digest) | emulated ECR |
 * | manifest (platform list) | BatchGetImage | emulated ECR |
 * | architecture | GET /v2/<repository>/blobs/<config digest> | the registry |
 * | deploy's image check | DescribeImages | emulated ECR |
 *
 * Without `registryEndpoint` (real AWS) the same steps run against ECR alone: no registration is needed, since
 * a push to ECR's host is what creates the image ECR lists. The recorded image (and so the task definition)
 * always names the stack's ECR URI, as it would in AWS.
 */
import type { AwsClients } from '../aws/clients.js';
import { putImage, registryHost, type EcrCredentials, type RepositoryRef } from '../aws/ecr.js';
import { OperationError } from '../cli/errors.js';
import { fetchManifest, type Fetch } from './registry-api.js';

/** The repository as the emulated registry holds it: same name, the registry's host. */
export function emulatedRepository(repository: RepositoryRef, registryEndpoint: string): RepositoryRef {
  const registry = registryHost(registryEndpoint);
  return { registry, name: repository.name, uri: `${registry}/${repository.name}` };
}

/** The emulated ECR's token, pointed at the registry that stands in for ECR's host. */
export function emulatedCredentials(ecr: EcrCredentials, registryEndpoint: string): EcrCredentials {
  const endpoint = registryEndpoint.replace(/\/+$/, '');
  return { ...ecr, registry: registryHost(endpoint), endpoint, insecure: endpoint.startsWith('http://') };
}

export interface RegistrationRequest {
  /** Credentials for the emulated registry (emulatedCredentials). */
  readonly credentials: EcrCredentials;
  readonly repositoryName: string;
  /** Every tag pushed; the first is the primary one. */
  readonly tags: readonly string[];
  /** What the builder reported for its push, when it did. */
  readonly builderDigest?: string;
  readonly fetch?: Fetch;
  readonly signal?: AbortSignal;
}

/**
 * Reads each pushed tag's manifest back from the registry and registers it in the emulated ECR under the same
 * tag and digest (PutImage), so ECR's own reads (DescribeImages, BatchGetImage) see what the registry holds.
 * Returns the digest every tag resolves to. Errors: OperationError `digest-mismatch` when a tag resolves to
 * another manifest than the builder pushed, `image-not-found` when the registry lacks a tag.
 */
export async function registerInEcr(clients: AwsClients, request: RegistrationRequest): Promise<string> {
  const { credentials, repositoryName } = request;
  const api = { endpoint: credentials.endpoint, username: credentials.username, password: credentials.password, fetch: request.fetch, signal: request.signal };
  let digest = request.builderDigest;
  for (const tag of request.tags) {
    const manifest = await fetchManifest(api, repositoryName, tag);
    if (digest && manifest.digest !== digest) {
      throw new OperationError(
        `${credentials.registry}/${repositoryName}:${tag} resolves to ${manifest.digest}, but the push wrote ${digest}: something else pushed the same tag`,
        { code: 'digest-mismatch', hint: 'push again; use a unique --tag if several jobs push at once' },
      );
    }
    digest = manifest.digest;
    await putImage(clients, repositoryName, { manifest: manifest.body, mediaType: manifest.mediaType, digest: manifest.digest, tag });
  }
  if (!digest) throw new OperationError('no tag was pushed', { code: 'image-not-found' });
  return digest;
}
