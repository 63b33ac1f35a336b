/**
 * ECR, thinly: registry credentials from GetAuthorizationToken, reading a pushed image back
 * (DescribeImages for digest, size and push time; BatchGetImage for the manifest), and registering a manifest
 * (PutImage) for an emulated environment whose registry is not ECR's own.
 */
import type { ImageDetail, ImageIdentifier } from '@aws-sdk/client-ecr';
import { OperationError } from '../cli/errors.js';
import type { AwsClients } from './clients.js';
import { awsErrorName, explainAwsError } from './errors.js';
import { loadSdk } from './sdk.js';

export interface EcrCredentials {
  /** host[:port] of the registry (the token's proxyEndpoint without its scheme). */
  readonly registry: string;
  /** The proxyEndpoint as given: https://<account>.dkr.ecr.<region>.amazonaws.com */
  readonly endpoint: string;
  readonly username: string;
  readonly password: string;
  /** The endpoint is plain http (a local registry standing in for ECR in tests). */
  readonly insecure: boolean;
  readonly expiresAt?: Date;
}

/** GetAuthorizationToken, decoded. The token is base64("AWS:<password>"); the password is never logged. */
export async function registryCredentials(clients: AwsClients): Promise<EcrCredentials> {
  const { GetAuthorizationTokenCommand } = await loadSdk('@aws-sdk/client-ecr');
  let data;
  try {
    data = (await (await clients.ecr()).send(new GetAuthorizationTokenCommand({}))).authorizationData?.[0];
  } catch (e) {
    throw explainAwsError(e, 'getting an ECR login token');
  }
  if (!data?.authorizationToken || !data.proxyEndpoint) {
    throw new OperationError('ECR returned no authorization token', { code: 'aws' });
  }
  const decoded = Buffer.from(data.authorizationToken, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) throw new OperationError('ECR returned an authorization token tapctl cannot read', { code: 'aws' });
  const endpoint = data.proxyEndpoint.replace(/\/+$/, '');
  return {
    registry: registryHost(endpoint),
    endpoint,
    username: decoded.slice(0, colon),
    password: decoded.slice(colon + 1),
    insecure: endpoint.startsWith('http://'),
    ...(data.expiresAt ? { expiresAt: data.expiresAt } : {}),
  };
}

/** `https://host:port/` -> `host:port`. */
export function registryHost(endpointOrUri: string): string {
  return endpointOrUri.replace(/^[a-z]+:\/\//, '').split('/')[0];
}

export interface RepositoryRef {
  /** registry host[:port] */
  readonly registry: string;
  /** Repository name inside the registry (`shop-app-dev`). */
  readonly name: string;
  /** `registry/name`, as the stack output gives it. */
  readonly uri: string;
}

/** Splits the stack's ECRRepositoryURI (`<account>.dkr.ecr.<region>.amazonaws.com/<name>`). */
export function parseRepositoryUri(uri: string): RepositoryRef {
  const clean = uri.replace(/^[a-z]+:\/\//, '').replace(/\/+$/, '');
  const slash = clean.indexOf('/');
  if (slash <= 0 || slash === clean.length - 1) {
    throw new OperationError(`the stack output ECRRepositoryURI '${uri}' is not a repository URI`, { code: 'stack-output' });
  }
  return { registry: clean.slice(0, slash), name: clean.slice(slash + 1), uri: clean };
}

export interface RetryOptions {
  readonly attempts?: number;
  readonly delayMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** DescribeImages for one image. Retries briefly: a tag just pushed can take a moment to be listed. */
export async function describeImage(
  clients: AwsClients,
  repositoryName: string,
  imageId: ImageIdentifier,
  retry: RetryOptions = {},
): Promise<ImageDetail> {
  const { DescribeImagesCommand } = await loadSdk('@aws-sdk/client-ecr');
  const ecr = await clients.ecr();
  const attempts = retry.attempts ?? 5;
  const sleep = retry.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  for (let attempt = 1; ; attempt++) {
    try {
      const detail = (await ecr.send(new DescribeImagesCommand({ repositoryName, imageIds: [imageId] }))).imageDetails?.[0];
      if (detail) return detail;
      if (attempt >= attempts) throw new OperationError(`ECR lists no image ${describeId(imageId)} in ${repositoryName}`, { code: 'image-not-found' });
    } catch (e) {
      if (e instanceof OperationError) throw e;
      if (awsErrorName(e) !== 'ImageNotFoundException' || attempt >= attempts) {
        throw awsErrorName(e) === 'ImageNotFoundException'
          ? new OperationError(`ECR has no image ${describeId(imageId)} in ${repositoryName} after the push`, { code: 'image-not-found', cause: e })
          : explainAwsError(e, `reading image ${describeId(imageId)} from ECR`);
      }
    }
    await sleep(retry.delayMs ?? 1000);
  }
}

/** Every manifest type a builder may push: single images and lists, Docker and OCI. */
export const MANIFEST_MEDIA_TYPES = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.index.v1+json',
] as const;

export interface ManifestDocument {
  readonly mediaType: string;
  /** The manifest as the registry stores it. */
  readonly body: string;
}

/** BatchGetImage for one image's manifest (`registryId`: another account's registry in the same region). */
export async function getManifest(clients: AwsClients, repositoryName: string, imageId: ImageIdentifier, registryId?: string): Promise<ManifestDocument> {
  const { BatchGetImageCommand } = await loadSdk('@aws-sdk/client-ecr');
  let out;
  try {
    out = await (await clients.ecr()).send(
      new BatchGetImageCommand({ repositoryName, imageIds: [imageId], acceptedMediaTypes: [...MANIFEST_MEDIA_TYPES], ...(registryId ? { registryId } : {}) }),
    );
  } catch (e) {
    if (awsErrorName(e) === 'RepositoryNotFoundException') throw new OperationError(`ECR has no repository ${repositoryName}${registryId ? ` in account ${registryId}` : ''}`, { code: 'image-not-found', cause: e });
    throw explainAwsError(e, `reading the manifest of ${describeId(imageId)} from ECR`);
  }
  const image = out.images?.[0];
  if (!image?.imageManifest) {
    const failure = out.failures?.[0];
    throw new OperationError(
      `ECR returned no manifest for ${describeId(imageId)}${failure ? `: ${failure.failureCode} ${failure.failureReason ?? ''}`.trimEnd() : ''}`,
      { code: 'image-not-found' },
    );
  }
  const mediaType = image.imageManifestMediaType ?? (JSON.parse(image.imageManifest) as { mediaType?: string }).mediaType ?? '';
  return { mediaType, body: image.imageManifest };
}

export interface ImageRegistration {
  /** The manifest exactly as the registry stores it: ECR checks `digest` against these bytes. */
  readonly manifest: string;
  readonly mediaType: string;
  /** sha256:<hex> of `manifest`. */
  readonly digest: string;
  readonly tag: string;
}

/**
 * PutImage: records a manifest and tag in a repository without uploading layers (the layers must already be in
 * the registry). https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_PutImage.html
 * A tag that already names this very manifest answers ImageAlreadyExistsException: that is success here.
 */
export async function putImage(clients: AwsClients, repositoryName: string, image: ImageRegistration): Promise<void> {
  const { PutImageCommand } = await loadSdk('@aws-sdk/client-ecr');
  try {
    await (await clients.ecr()).send(
      new PutImageCommand({
        repositoryName,
        imageManifest: image.manifest,
        imageManifestMediaType: image.mediaType,
        imageDigest: image.digest,
        imageTag: image.tag,
      }),
    );
  } catch (e) {
    if (awsErrorName(e) === 'ImageAlreadyExistsException') return;
    throw explainAwsError(e, `registering ${repositoryName}:${image.tag} (${image.digest}) in ECR`);
  }
}

function describeId(id: ImageIdentifier): string {
  return id.imageDigest ?? `:${id.imageTag ?? '?'}`;
}
