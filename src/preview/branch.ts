/**
 * The branch a preview belongs to, for sweep --live-branches: --branch, else the CI's own variable for the
 * branch a pull or merge request comes from (a CI checkout is usually a detached HEAD, where git names no
 * branch), else git's current branch. Unknown (detached HEAD, no git) is allowed: such a preview is swept by its
 * expiry alone.
 */
import type { Spawn } from '../image/exec.js';

/**
 * GITHUB_HEAD_REF: the pull request's source branch in a GitHub Actions pull_request run
 * (https://docs.github.com/en/actions/reference/variables-reference). CI_MERGE_REQUEST_SOURCE_BRANCH_NAME: the
 * same in a GitLab merge request pipeline (https://docs.gitlab.com/ci/variables/predefined_variables/).
 */
export const CI_BRANCH_VARIABLES = ['GITHUB_HEAD_REF', 'CI_MERGE_REQUEST_SOURCE_BRANCH_NAME'] as const;

export async function currentBranch(spawn: Spawn, dir: string, env: NodeJS.ProcessEnv): Promise<{ branch?: string; from: string }> {
  for (const name of CI_BRANCH_VARIABLES) {
    const value = env[name]?.trim();
    if (value) return { branch: value, from: name };
  }
  const r = await spawn({ command: 'git', args: ['symbolic-ref', '--quiet', '--short', 'HEAD'], cwd: dir, env: { ...env, GIT_OPTIONAL_LOCKS: '0', LC_ALL: 'C' }, timeoutMs: 30_000 });
  const branch = r.code === 0 ? r.stdout.trim() : '';
  return branch ? { branch, from: 'git' } : { from: r.code === 127 ? 'no git' : 'no branch (detached HEAD or not a git repository)' };
}

/**
 * Live branches as a file or stdin lists them: one per line; blank lines and `#` comments skipped; a line of
 * `git ls-remote --heads origin` (`<sha>\trefs/heads/<branch>`) or a `refs/heads/<branch>` is read as its branch.
 */
export function parseLiveBranches(text: string): string[] {
  const out = new Set<string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const ref = line.split(/\s+/).at(-1)!;
    out.add(ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : ref);
  }
  return [...out];
}
