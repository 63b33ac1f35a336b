/** Whether an image is in an ECR repository, without pulling anything. */
import type { AwsClients } from './clients.js';
import { awsErrorName, explainAwsError } from './errors.js';
import { loadSdk } from './sdk.js';

export interface ImageReference {
  readonly tag?: string;
  /** `sha256:...`; wins over the tag. */
  readonly digest?: string;
}

export type ImageLookup = 'found' | 'image-missing' | 'repository-missing';

/** An image ECR holds: its digest and every tag on it. */
export interface FoundImage {
  readonly kind: 'found';
  readonly digest: string;
  readonly tags: readonly string[];
}

/**
 * The image `ref` names (by digest when it has one, else by tag), in one DescribeImages call
 * (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_DescribeImages.html).
 */
export async function describeImage(clients: AwsClients, repositoryName: string, ref: ImageReference): Promise<FoundImage | { readonly kind: 'image-missing' | 'repository-missing' }> {
  const { DescribeImagesCommand } = await loadSdk('@aws-sdk/client-ecr');
  const imageId = ref.digest ? { imageDigest: ref.digest } : { imageTag: ref.tag };
  try {
    const out = await (await clients.ecr()).send(new DescribeImagesCommand({ repositoryName, imageIds: [imageId] }));
    const detail = out?.imageDetails?.[0];
    if (!detail) return { kind: 'image-missing' };
    return { kind: 'found', digest: detail.imageDigest ?? ref.digest ?? '', tags: detail.imageTags ?? [] };
  } catch (e) {
    if (awsErrorName(e) === 'ImageNotFoundException') return { kind: 'image-missing' };
    if (awsErrorName(e) === 'RepositoryNotFoundException') return { kind: 'repository-missing' };
    throw explainAwsError(e, `looking for image ${ref.digest ?? ref.tag} in ECR repository ${repositoryName}`);
  }
}

export async function findImage(clients: AwsClients, repositoryName: string, ref: ImageReference): Promise<ImageLookup> {
  const found = await describeImage(clients, repositoryName, ref);
  return found.kind;
}

/** At most this many pages of 1,000 images are read (a repository of tapctl's keeps ten: one page). */
const MAX_IMAGE_PAGES = 5;

/**
 * Every image digest in the repository, with its tags: DescribeImages without image ids, 1,000 per page (a
 * request naming images fails whole when one of them is missing, so existence of many is asked this way).
 * `repository-missing` when there is no repository.
 */
export async function listImages(clients: AwsClients, repositoryName: string, options: { abortSignal?: AbortSignal } = {}): Promise<Map<string, readonly string[]> | 'repository-missing'> {
  const { DescribeImagesCommand } = await loadSdk('@aws-sdk/client-ecr');
  const ecr = await clients.ecr();
  const images = new Map<string, readonly string[]>();
  let nextToken: string | undefined;
  try {
    for (let page = 0; page < MAX_IMAGE_PAGES; page++) {
      const out = await ecr.send(new DescribeImagesCommand({ repositoryName, maxResults: 1000, ...(nextToken ? { nextToken } : {}) }), options);
      for (const d of out?.imageDetails ?? []) if (d.imageDigest) images.set(d.imageDigest, d.imageTags ?? []);
      nextToken = out?.nextToken;
      if (!nextToken) break;
    }
  } catch (e) {
    if (awsErrorName(e) === 'RepositoryNotFoundException') return 'repository-missing';
    throw explainAwsError(e, `listing the images of ECR repository ${repositoryName}`);
  }
  return images;
}

export async function repositoryExists(clients: AwsClients, repositoryName: string): Promise<boolean> {
  const { DescribeRepositoriesCommand } = await loadSdk('@aws-sdk/client-ecr');
  try {
    await (await clients.ecr()).send(new DescribeRepositoriesCommand({ repositoryNames: [repositoryName] }));
    return true;
  } catch (e) {
    if (awsErrorName(e) === 'RepositoryNotFoundException') return false;
    throw explainAwsError(e, `reading ECR repository ${repositoryName}`);
  }
}
