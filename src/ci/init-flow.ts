/**
 * `tapctl ci init github|gitlab`: writes the project's pipeline (src/ci/pipeline.ts) with every configured
 * environment, its account, region and role ARNs.
 *
 * The role ARNs: read from each environment's `TapCi-<project>-<suffix>` outputs when that stack exists and the
 * credentials at hand are for its account; otherwise the ARN bootstrap will give the role (the names are fixed:
 * src/infra/ci-roles-stack.ts), and Next names the bootstrap that creates it. A stack bootstrapped for another
 * CI, branch or GitLab instance makes a pipeline that cannot assume its roles: refused (exit 3) unless --force.
 * GitLab's instance (the tokens' audience) is read from the stacks when --gitlab-host does not name it. Nothing is written before every file is rendered, and a file that exists is
 * never replaced without --force (exit 2 naming it, before any AWS call).
 */
import { existsSync, lstatSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { CommandContext } from '../cli/context.js';
import { isTapctlError, RefusedError, UsageError } from '../cli/errors.js';
import { loadProject } from '../cli/project.js';
import { quote } from '../cli/quote.js';
import { AwsClients, targetFor } from '../aws/clients.js';
import { callerIdentity } from '../aws/identity.js';
import { describeStack, stackOutputs } from '../aws/stack.js';
import type { ResolvedEnvironment } from '../config/resolve.js';
import { NOT_APPLICABLE } from '../config/presets/index.js';
import { suggest } from '../config/suggest.js';
import { CI_PROVIDERS, ciStackName, GITLAB_DEFAULT_HOST, gitlabAudience, parseBranch, parseGitLabHost, type CiProvider } from './identity.js';
import { deployOrder, deployWaves, pipelinePaths, renderPipeline, type PipelineEnvironment } from './pipeline.js';

export interface CiInitOptions {
  readonly force?: boolean;
  readonly previews?: boolean;
  readonly previewFrom?: string;
  readonly branch?: string;
  readonly gitlabHost?: string;
}

export interface CiInitEnvironment extends PipelineEnvironment {
  /** 1-based: environments of one wave deploy in parallel, after the wave before. */
  readonly wave: number;
  /** `stack`: read from TapCi-<project>-<suffix>; `computed`: the ARNs bootstrap gives the roles. */
  readonly rolesFrom: 'stack' | 'computed';
  /** Why the stack was not read, or how it differs from this pipeline. */
  readonly note?: string;
}

export interface CiInitResult {
  readonly provider: CiProvider;
  readonly tapctlVersion: string;
  readonly branch: string;
  readonly files: ReadonlyArray<{ readonly path: string; readonly action: 'created' | 'overwritten' }>;
  readonly environments: readonly CiInitEnvironment[];
  readonly previews?: { readonly from: string; readonly role: string };
  readonly next: readonly string[];
}

export async function runCiInit(ctx: CommandContext, providerArg: string | undefined, options: CiInitOptions): Promise<CiInitResult> {
  const provider = await chooseProvider(ctx, providerArg);
  if (options.previews && provider === 'gitlab') {
    throw new UsageError("--previews is for GitHub: a GitLab token names the merge request's branch in its sub, which no exact trust condition can match for every merge request", { hint: 'leave --previews out' });
  }
  if (options.previewFrom !== undefined && !options.previews) throw new UsageError('--preview-from only applies with --previews', { hint: 'add --previews, or leave --preview-from out' });
  if (options.gitlabHost !== undefined && provider !== 'gitlab') throw new UsageError('--gitlab-host only applies to a GitLab pipeline', { hint: 'tapctl ci init gitlab --gitlab-host <host>' });
  const branch = parseBranch(options.branch ?? 'main');
  const loaded = await loadProject(ctx);
  const configured = loaded.environments.filter((e) => !e.preview);
  if (configured.length === 0) throw new UsageError('tapctl.config.yaml has no environments to put in a pipeline', { hint: 'add one under environments:' });
  const previewSource = options.previews ? previewSourceOf(configured, options.previewFrom) : undefined;
  const paths = pipelinePaths(provider, Boolean(options.previews));
  const target = (p: string) => join(loaded.projectDir, ...p.split('/'));
  // A symlink (the file, or a folder on its way) would have the pipeline written wherever it points, outside the
  // project maybe: refused, --force or not.
  const linked = paths.flatMap((p) => symlinkOnPath(loaded.projectDir, p));
  if (linked.length > 0) {
    throw new UsageError(`ci init will not write through a symlink: ${linked.join(', ')} in ${loaded.projectDir}`, { hint: 'replace the link with a real file or folder (or remove it), then run ci init again; nothing was written', details: { symlinks: linked } });
  }
  const clashes = paths.filter((p) => existsSync(target(p)));
  // Said before any AWS call: nothing is overwritten without --force.
  if (clashes.length > 0 && !options.force) {
    throw new UsageError(`ci init would overwrite ${clashes.join(', ')} in ${loaded.projectDir}`, { hint: 'pass --force to replace it (your changes to it are lost), or move it away first; nothing was written', details: { files: clashes } });
  }

  const { ciRoleArns, CI_OUTPUTS } = await import('../infra/ci-roles-stack.js');
  const read = await Promise.all(deployOrder(configured).map((env) => readRoles(ctx, env, CI_OUTPUTS)));
  // GitLab: the instance the roles were bootstrapped for, when --gitlab-host does not say (the audience must match).
  const gitlabHost = provider === 'gitlab' ? (options.gitlabHost ? parseGitLabHost(options.gitlabHost) : hostFromStacks(read)) : undefined;
  const waves = deployWaves(configured);
  const waveOf = new Map(waves.flatMap((w, i) => w.map((e) => [e.name, i + 1] as const)));
  const environments: CiInitEnvironment[] = deployOrder(configured).map((env, i) => {
    const computed = ciRoleArns(env);
    const found = read[i];
    const roles = found.outputs
      ? { plan: found.outputs.plan ?? computed.plan, deploy: found.outputs.deploy ?? computed.deploy, ...(found.outputs.preview ? { preview: found.outputs.preview } : {}) }
      : { plan: computed.plan, deploy: computed.deploy };
    const withPreview = env.name === previewSource?.name && !roles.preview ? { ...roles, preview: computed.preview } : roles;
    const mismatch = found.outputs ? mismatchOf(found.outputs, provider, branch, gitlabHost) : undefined;
    const note = mismatch ?? found.note;
    return { name: env.name, kind: env.kind, account: env.account, region: env.region, roles: withPreview, pushesImage: !NOT_APPLICABLE[env.preset].includes('container'), wave: waveOf.get(env.name)!, rolesFrom: found.outputs ? 'stack' : 'computed', ...(note ? { note } : {}) };
  });
  for (const e of environments) if (e.note) ctx.io.warn(`${e.name}: ${e.note}`);
  // A pipeline whose roles trust another CI, branch or instance cannot assume them: refused (exit 3) before anything
  // is written, unless --force writes it anyway (the roles are bootstrapped again after).
  const wrong = environments.filter((e, i) => e.rolesFrom === 'stack' && e.note && read[i].outputs && mismatchOf(read[i].outputs!, provider, branch, gitlabHost));
  if (wrong.length > 0 && !options.force) {
    throw new RefusedError(`refusing to write a pipeline the roles of ${wrong.map((e) => `'${e.name}'`).join(', ')} would not let in: ${wrong.map((e) => `${e.name}: ${e.note}`).join('; ')}`, {
      hint: `bootstrap them again for this pipeline (${nextSteps(provider, branch, wrong, undefined, wrong.map(() => ({})), gitlabHost).filter((n) => n.startsWith('tapctl bootstrap')).join('; ')}), or pass --force to write it anyway; nothing was written`,
    });
  }

  const audience = provider === 'gitlab' ? gitlabAudience(gitlabHost ?? GITLAB_DEFAULT_HOST) : undefined;
  const preview = previewSource ? environments.find((e) => e.name === previewSource.name) : undefined;
  const files = renderPipeline({ provider, tapctlVersion: ctx.version, branch, environments, ...(audience ? { audience } : {}), ...(preview ? { previews: preview } : {}) });
  const written = files.map((f) => {
    const path = target(f.path);
    const existed = existsSync(path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, f.content);
    return { path: f.path, action: existed ? ('overwritten' as const) : ('created' as const) };
  });
  return {
    provider,
    tapctlVersion: ctx.version,
    branch,
    files: written,
    environments,
    ...(preview?.roles.preview ? { previews: { from: preview.name, role: preview.roles.preview } } : {}),
    next: nextSteps(provider, branch, environments, preview, read, gitlabHost),
  };
}

async function chooseProvider(ctx: CommandContext, given: string | undefined): Promise<CiProvider> {
  const hint = 'tapctl ci init github (GitHub Actions) or tapctl ci init gitlab (GitLab CI)';
  if (given === undefined) {
    if (!ctx.interactive) throw new UsageError('ci init needs the CI to write a pipeline for: github or gitlab (there is no terminal to ask)', { hint });
    return ctx.prompter.select<CiProvider>({ message: 'Which CI runs the pipeline?', choices: [{ value: 'github', description: 'GitHub Actions: .github/workflows/tapctl.yml' }, { value: 'gitlab', description: 'GitLab CI: .gitlab-ci.yml' }] });
  }
  if ((CI_PROVIDERS as readonly string[]).includes(given)) return given as CiProvider;
  const near = suggest(given, CI_PROVIDERS);
  throw new UsageError(`ci init knows no CI ${quote(given)}${near ? ` (did you mean '${near}'?)` : ''}: it writes pipelines for github and gitlab`, { hint });
}

/** The environment previews are made from: --preview-from, else the first development environment, else the first non-production one. */
function previewSourceOf(environments: readonly ResolvedEnvironment[], name: string | undefined): ResolvedEnvironment {
  if (name !== undefined) {
    const env = environments.find((e) => e.name === name);
    if (!env) {
      const near = suggest(name, environments.map((e) => e.name));
      throw new UsageError(`--preview-from ${quote(name)} is not an environment of tapctl.config.yaml${near ? ` (did you mean '${near}'?)` : ''}`, { hint: `one of ${environments.map((e) => e.name).join(', ')}` });
    }
    if (env.kind === 'production') throw new UsageError(`--preview-from ${quote(name)}: it is a production environment; previews are made from a non-production one`);
    return env;
  }
  const source = environments.find((e) => e.kind === 'development') ?? environments.find((e) => e.kind !== 'production');
  if (!source) throw new UsageError('--previews: every environment is a production one; previews are made from a non-production environment', { hint: 'add a development environment' });
  return source;
}

interface RolesRead {
  /** The stack's outputs, when it exists and was read. */
  readonly outputs?: { plan?: string; deploy?: string; preview?: string; provider?: string; repository?: string; branch?: string; issuer?: string };
  /** The stack was read and does not exist. */
  readonly absent?: boolean;
  readonly note?: string;
}

/**
 * The roles stack's outputs, best-effort: any failure (no credentials, another account, denied) leaves the ARNs
 * computed, with a note. Credentials for another account are never used to read a stack of the same name there.
 */
async function readRoles(ctx: CommandContext, env: ResolvedEnvironment, keys: Record<'plan' | 'deploy' | 'preview' | 'provider' | 'repository' | 'branch' | 'issuer', string>): Promise<RolesRead> {
  const stackName = ciStackName(env.project, env.suffix);
  try {
    const clients = new AwsClients(targetFor(env, ctx.globals.profile));
    const identity = await callerIdentity(clients);
    if (identity.account !== env.account) return { note: `${stackName} not read: the credentials are for account ${identity.account}, not ${env.account}; the role ARNs are the ones bootstrap gives them` };
    const stack = await describeStack(clients, stackName);
    if (!stack) return { absent: true };
    const out = stackOutputs(stack);
    return { outputs: { plan: out[keys.plan], deploy: out[keys.deploy], preview: out[keys.preview], provider: out[keys.provider], repository: out[keys.repository], branch: out[keys.branch], issuer: out[keys.issuer] } };
  } catch (e) {
    if (!isTapctlError(e)) throw e;
    ctx.io.debug(`${stackName} not read: ${e.message}`);
    return { note: `${stackName} not read (${e.message.split('\n')[0]}); the role ARNs are the ones bootstrap gives them` };
  }
}

function mismatchOf(out: NonNullable<RolesRead['outputs']>, provider: CiProvider, branch: string, gitlabHost: string | undefined): string | undefined {
  if (out.provider && out.provider !== provider) return `its CI roles trust ${out.provider} ${out.repository ?? ''}, not ${provider}: bootstrap it again with --ci ${provider}`;
  if (out.branch && out.branch !== branch) return `its deploy role trusts branch ${out.branch}, not ${branch}: bootstrap it again with --branch ${branch}, or write the pipeline with --branch ${out.branch}`;
  const host = gitlabHost ?? GITLAB_DEFAULT_HOST;
  if (provider === 'gitlab' && out.issuer && out.issuer !== host) return `its CI roles trust GitLab instance ${out.issuer}, not ${host}: write the pipeline with --gitlab-host ${out.issuer}, or bootstrap it again with --gitlab-host ${host}`;
  return undefined;
}

/** The GitLab instance every read TapCi stack of GitLab names, when they agree on one. */
function hostFromStacks(read: readonly RolesRead[]): string | undefined {
  const hosts = new Set(read.flatMap((r) => (r.outputs?.provider === 'gitlab' && r.outputs.issuer ? [r.outputs.issuer] : [])));
  return hosts.size === 1 ? [...hosts][0] : undefined;
}

/** The first symlink among `path`'s folders and itself under `root`, as a relative path; [] when none. */
function symlinkOnPath(root: string, path: string): string[] {
  const parts = path.split('/');
  for (let i = 1; i <= parts.length; i++) {
    const rel = parts.slice(0, i).join('/');
    try {
      if (lstatSync(join(root, ...parts.slice(0, i))).isSymbolicLink()) return [rel];
    } catch {
      return [];
    }
  }
  return [];
}

function nextSteps(provider: CiProvider, branch: string, envs: readonly CiInitEnvironment[], preview: CiInitEnvironment | undefined, read: readonly RolesRead[], gitlabHost: string | undefined): string[] {
  const who = provider === 'github' ? '--ci github --repo <owner/name>' : `--ci gitlab --project <group/name>${gitlabHost && gitlabHost !== GITLAB_DEFAULT_HOST ? ` --gitlab-host ${gitlabHost}` : ''}`;
  const branchFlag = branch === 'main' ? '' : ` --branch ${branch}`;
  const next: string[] = [];
  envs.forEach((e, i) => {
    const needsPreview = preview?.name === e.name && !read[i].outputs?.preview;
    if (e.rolesFrom === 'computed' || e.note || needsPreview) next.push(`tapctl bootstrap --env ${e.name} ${who}${branchFlag}${preview?.name === e.name ? ' --previews' : ''} --yes`);
  });
  const production = envs.filter((e) => e.kind === 'production').map((e) => e.name);
  if (provider === 'github' && production.length > 0) {
    next.push(`GitHub: Settings > Environments > ${production.join(', ')}: required reviewers, and deployment branches: ${branch} only`);
  }
  if (provider === 'gitlab' && production.length > 0) next.push(`GitLab: Settings > CI/CD > Protected environments: protect ${production.join(', ')} (who may deploy), and protect branch ${branch}`);
  next.push(`git add ${pipelinePaths(provider, Boolean(preview)).join(' ')} && git commit -m "CI pipeline by tapctl ci init"`);
  return next;
}
