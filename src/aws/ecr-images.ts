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

export async function findImage(clients: AwsClients, repositoryName: string, ref: ImageReference): Promise<ImageLookup> {
  const { DescribeImagesCommand } = await loadSdk('@aws-sdk/client-ecr');
  const imageId = ref.digest ? { imageDigest: ref.digest } : { imageTag: ref.tag };
  try {
    const out = await (await clients.ecr()).send(new DescribeImagesCommand({ repositoryName, imageIds: [imageId] }));
    return (out.imageDetails ?? []).length > 0 ? 'found' : 'image-missing';
  } catch (e) {
    if (awsErrorName(e) === 'ImageNotFoundException') return 'image-missing';
    if (awsErrorName(e) === 'RepositoryNotFoundException') return 'repository-missing';
    throw explainAwsError(e, `looking for image ${ref.digest ?? ref.tag} in ECR repository ${repositoryName}`);
  }
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
