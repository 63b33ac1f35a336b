/**
 * The tag an image is pushed under: immutable by construction. From git, the short commit SHA, with `-dirty`
 * when the work tree has uncommitted changes (so a dirty build never poses as the commit); or `--tag`; or,
 * outside git (or before the first commit), the build context's content digest (`ctx-<12 hex>`).
 * `latest` is only ever added next to it (`--also-latest`): deploy records and runs the immutable one.
 */
import { quote } from '../cli/quote.js';
import { UsageError } from '../cli/errors.js';
import type { Spawn } from './exec.js';

export interface GitState {
  /** Short SHA of HEAD. */
  readonly commit: string;
  readonly dirty: boolean;
}

/** HEAD's short SHA and whether the tree has changes; undefined when there is no git, no repository or no commit. */
export async function readGitState(spawn: Spawn, dir: string, env: NodeJS.ProcessEnv): Promise<GitState | undefined> {
  const run = (args: string[]) => spawn({ command: 'git', args, cwd: dir, env: { ...env, GIT_OPTIONAL_LOCKS: '0', LC_ALL: 'C' }, timeoutMs: 30_000 });
  const head = await run(['rev-parse', '--short', 'HEAD']);
  if (head.code !== 0) return undefined;
  const commit = head.stdout.trim();
  if (!/^[0-9a-f]{4,40}$/.test(commit)) return undefined;
  // Untracked files count: a new source file changes what the build context holds.
  const status = await run(['status', '--porcelain']);
  if (status.code !== 0) return undefined;
  return { commit, dirty: status.stdout.trim() !== '' };
}

/** Docker's tag grammar. */
const TAG_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

export interface TagOptions {
  /** --tag */
  readonly tag?: string;
  /** --also-latest */
  readonly alsoLatest?: boolean;
}

export interface ImageTags {
  /** The immutable tag: recorded, deployed. */
  readonly primary: string;
  /** Every tag pushed, primary first. */
  readonly all: readonly string[];
  /** Where the primary tag came from: --tag, the git commit, or the build context's content digest. */
  readonly source: 'flag' | 'git' | 'content';
}

/** Refuses a --tag that is not an immutable image tag (exit 2); called as soon as the option is parsed. */
export function checkTag(tag: string): void {
  if (!TAG_PATTERN.test(tag)) {
    throw new UsageError(`${quote(tag)} is not a valid image tag`, { hint: 'up to 128 letters, digits, _ . and -, not starting with . or -' });
  }
  if (tag === 'latest') {
    throw new UsageError("'latest' is never the only tag: it moves, so deploy could not tell which image runs", {
      hint: 'give an immutable --tag (e.g. a version or commit) and add --also-latest',
    });
  }
}

/**
 * Refuses the bootstrap placeholder's tag (exit 2): deploy reads it as "no image", so a release under it would
 * take the service to zero tasks. `placeholderTag` is infra/image-placeholder.ts's, passed in so that this module
 * (loaded at every start by the command's option check) does not load it.
 */
export function refuseReservedTag(tag: string, placeholderTag: string): void {
  if (tag !== placeholderTag) return;
  throw new UsageError(`${quote(tag)} is reserved: it is the tag of the bootstrap placeholder a new environment starts with, and deploy treats it as "no image"`, {
    hint: 'give another --tag (e.g. a version or commit)',
  });
}



/**
 * @param contentTag the build context's content tag (context-digest.ts), used outside git; without it, no
 *   git and no --tag is an error.
 */
export function deriveTags(options: TagOptions, git: GitState | undefined, contentTag?: () => string): ImageTags {
  let primary: string;
  let source: ImageTags['source'];
  if (options.tag !== undefined) {
    checkTag(options.tag);
    primary = options.tag;
    source = 'flag';
  } else if (git) {
    primary = git.dirty ? `${git.commit}-dirty` : git.commit;
    source = 'git';
  } else if (contentTag) {
    primary = contentTag();
    source = 'content';
  } else {
    throw new UsageError('no git commit to tag the image with (not a git repository, or no commit yet)', {
      hint: 'pass --tag <version>, e.g. --tag 1.4.2',
    });
  }
  return { primary, all: options.alsoLatest ? [primary, 'latest'] : [primary], source };
}
