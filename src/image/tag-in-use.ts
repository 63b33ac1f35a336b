/**
 * A tag already in the stack's ECR repository, found before anything is built. The repository's tags are
 * immutable (infra/constructs/registry.ts: IMMUTABLE_WITH_EXCLUSION, only `latest` may move), so a tag names one
 * image for good and the ledger's releases stay true:
 *
 * - `--tag v1` when v1 is in use: refused (exit 3), naming the release that has it and how to choose a new tag.
 *   A person chose that tag; tapctl does not pick another one for them.
 * - a tag tapctl derived (the git commit, or the build context's content digest) that is in use: this is a
 *   rebuild of something pushed before (a CI retry). A rebuild is rarely the same image byte for byte, so it is
 *   pushed under `<tag>-r2` (`-r3` ...), with a warning that names the earlier release; both stay in the ledger.
 *
 * One DescribeImages per tag tried (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_DescribeImages.html).
 */
import type { AwsClients } from '../aws/clients.js';
import { describeImage } from '../aws/ecr-images.js';
import type { CommandContext } from '../cli/context.js';
import { OperationError, RefusedError } from '../cli/errors.js';
import { quote } from '../cli/quote.js';
import type { Release } from '../release/release.js';
import type { ImageTags } from './tag.js';

export interface TagInUseInput {
  readonly clients: AwsClients;
  readonly repositoryName: string;
  readonly envName: string;
  /** The newest release (from the ledger listing) whose image has this digest, or this tag. */
  readonly releaseOf: (tag: string, digest: string) => Release | undefined;
}

/** The tags to push under: `tags` as they are, or the rebuild's; refuses a --tag in use. */
export async function freshTags(ctx: CommandContext, tags: ImageTags, i: TagInUseInput): Promise<ImageTags> {
  const found = await describeImage(i.clients, i.repositoryName, { tag: tags.primary });
  if (found.kind !== 'found') return tags;
  const release = i.releaseOf(tags.primary, found.digest);
  const holder = release ? `release ${release.id}` : 'an image no release in the ledger names (pushed outside tapctl, or its release was pruned)';
  const where = `${quote(tags.primary)} is already in ECR repository ${i.repositoryName}, on ${holder} (${found.digest.slice(0, 19)})`;
  if (tags.source === 'flag') {
    throw new RefusedError(`refusing to push: tag ${where}, and its tags are immutable: it names that image for good`, {
      hint: `choose a new tag (e.g. --tag ${tags.primary.slice(0, 120)}-2, or the next version); to run that image again: tapctl rollback --env ${i.envName} --to tag:${tags.primary}`,
      details: { tag: tags.primary, digest: found.digest, ...(release ? { release: release.id } : {}) },
    });
  }
  const taken = async (candidate: string) => (await describeImage(i.clients, i.repositoryName, { tag: candidate })).kind === 'found';
  const primary = await rebuildTag(tags.primary, taken);
  if (!primary) {
    throw new OperationError(`tag ${where}, and so are ${tags.primary}-r2 to -r21: tapctl will not number rebuilds further`, {
      code: 'tag-in-use',
      hint: 'commit (a new commit gets a new tag), or name the image: push-image --tag <version>',
    });
  }
  const why = tags.source === 'git' ? 'this commit was built and pushed before' : 'this build context was built and pushed before';
  ctx.io.warn(`tag ${where}: ${why}, and a rebuild is rarely the same image; ECR tags are immutable, so this build is tagged ${quote(primary)}`);
  return { ...tags, primary, all: [primary, ...tags.all.filter((t) => t !== tags.primary)] };
}

/**
 * The tag a rebuild of an already-pushed commit (or build context) gets: `<tag>-r2`, `-r3` ... ECR's tags are
 * immutable, and a rebuild is rarely the same image byte for byte (timestamps, base images), so the rebuild gets
 * a tag of its own instead of failing. `taken` says whether a tag is in the repository already.
 */
export async function rebuildTag(tag: string, taken: (candidate: string) => Promise<boolean>, maxTries = 20): Promise<string | undefined> {
  const base = tag.slice(0, 120);
  for (let n = 2; n <= maxTries + 1; n++) {
    const candidate = `${base}-r${n}`;
    if (!(await taken(candidate))) return candidate;
  }
  return undefined;
}
