/**
 * The pipeline `tapctl ci init` writes, from real files in templates/ci/ (style.md pattern 6) filled from the
 * config: the environments in their deploy order, each with its account, region and role ARNs.
 *
 * Order: the config's order with production last (dev -> staging -> prod as `tapctl init` writes them). Waves:
 * consecutive environments of the same kind in that order form one wave, deployed in parallel by the CI's own
 * matrix; a wave waits for the one before. So `dev, staging, prod` is three waves, and `dev, qa, staging, prod`
 * deploys qa and staging together after dev. Production is its own wave, behind the CI's protection.
 *
 * Templates use `{{name}}` for tapctl's values; GitHub's own `${{ ... }}` expressions are left as they are.
 */
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { EnvironmentKind } from '../config/schema.js';
import { TEMPLATES_DIR } from '../init/templates.js';
import type { CiProvider } from './identity.js';

export const CI_TEMPLATES_DIR = join(TEMPLATES_DIR, 'ci');

/** One environment as the pipeline uses it. */
export interface PipelineEnvironment {
  readonly name: string;
  readonly kind: EnvironmentKind;
  readonly account: string;
  readonly region: string;
  readonly roles: { readonly plan: string; readonly deploy: string; readonly preview?: string };
  /** The environment runs a service: its deploy job builds, pushes and rolls out the app (push-image --deploy). */
  readonly pushesImage: boolean;
}

export interface PipelineInput {
  readonly provider: CiProvider;
  /** The tapctl version the pipeline installs (the one writing it). */
  readonly tapctlVersion: string;
  /** The branch deploys run from. */
  readonly branch: string;
  /** In the config's order. */
  readonly environments: readonly PipelineEnvironment[];
  /** GitLab: the ID token's audience (https://<host>). */
  readonly audience?: string;
  /** GitHub: the preview job, from this environment. */
  readonly previews?: PipelineEnvironment;
}

export interface PipelineFile {
  /** Relative to the project folder, with forward slashes. */
  readonly path: string;
  readonly content: string;
}

/** The files a provider's pipeline is made of (previews add one on GitHub). */
export function pipelinePaths(provider: CiProvider, previews: boolean): string[] {
  if (provider === 'gitlab') return ['.gitlab-ci.yml'];
  return ['.github/workflows/tapctl.yml', ...(previews ? ['.github/workflows/tapctl-previews.yml'] : [])];
}

/** The deploy order: the config's order, production last. */
export function deployOrder<E extends { readonly kind: EnvironmentKind }>(environments: readonly E[]): E[] {
  return [...environments.filter((e) => e.kind !== 'production'), ...environments.filter((e) => e.kind === 'production')];
}

/** Consecutive environments of one kind, in deploy order: each wave deploys in parallel after the one before. */
export function deployWaves<E extends { readonly kind: EnvironmentKind }>(environments: readonly E[]): E[][] {
  const waves: E[][] = [];
  for (const e of deployOrder(environments)) {
    const last = waves.at(-1);
    if (last && last[0].kind === e.kind) last.push(e);
    else waves.push([e]);
  }
  return waves;
}

const PLACEHOLDER = /(?<!\$)\{\{\s*([A-Za-z][A-Za-z0-9]*)\s*\}\}/g;

/**
 * Fills every `{{name}}` that is not GitHub's `${{ ... }}`. A placeholder without a value, or one left over, is a
 * bug in the template: it throws rather than write a pipeline that would fail in CI.
 */
export function fillCiTemplate(text: string, values: Readonly<Record<string, string>>, source: string): string {
  const filled = text.replace(PLACEHOLDER, (_, key: string) => {
    if (!Object.hasOwn(values, key)) throw new Error(`template ${source} uses {{${key}}}, which ci init does not fill`);
    return values[key];
  });
  if (/(?<!\$)\{\{/.test(filled)) throw new Error(`template ${source} has a malformed placeholder`);
  return filled;
}

function render(file: string, values: Readonly<Record<string, string>>): string {
  const source = join(CI_TEMPLATES_DIR, file);
  return fillCiTemplate(readFileSync(source, 'utf8'), values, relative(TEMPLATES_DIR, source));
}

/** A YAML string scalar that means exactly `value` (JSON's quoting is YAML's double-quoted style). */
const str = (value: string) => JSON.stringify(value);

/** Matrix rows, as YAML at `indent` spaces: `- key: "value"` with the other keys under it. */
function matrixRows(rows: ReadonlyArray<Readonly<Record<string, string>>>, indent: number): string {
  const pad = ' '.repeat(indent);
  return rows
    .map((row) => Object.entries(row).map(([k, v], i) => `${pad}${i === 0 ? '- ' : '  '}${k}: ${str(v)}`).join('\n'))
    .join('\n');
}

/** GitLab's deployment tier for an environment kind (https://docs.gitlab.com/ci/environments/#deployment-tier-of-environments). */
const GITLAB_TIER: Readonly<Record<EnvironmentKind, string>> = { development: 'development', staging: 'staging', production: 'production' };

export function renderPipeline(input: PipelineInput): PipelineFile[] {
  return input.provider === 'github' ? renderGitHub(input) : renderGitLab(input);
}

function renderGitHub(input: PipelineInput): PipelineFile[] {
  const waves = deployWaves(input.environments);
  const setupSteps = render('github/setup-steps.yml', { tapctlVersion: input.tapctlVersion }).trimEnd();
  const common = { tapctlVersion: input.tapctlVersion, branch: input.branch, setupSteps };
  const jobIds = waves.map((_, i) => `deploy-${i + 1}`);
  const deployJobs = waves
    .map((wave, i) => {
      const production = wave[0].kind === 'production';
      const after = i === 0 ? 'validate' : jobIds[i - 1];
      // Production's plan runs before its gated job, so the reviewers approve a plan they have read.
      const planId = `plan-${i + 1}`;
      const plan = production
        ? render('github/plan-job.yml', { ...common, jobId: planId, deployJobId: jobIds[i], needs: after, matrix: matrixRows(wave.map((e) => ({ environment: e.name, account: e.account, region: e.region, role: e.roles.plan })), 10) }).trimEnd()
        : '';
      const deploy = render('github/deploy-job.yml', {
        ...common,
        jobId: jobIds[i],
        needs: production ? planId : after,
        // Production deploys through the GitHub environment of its name: its required reviewers approve, and its
        // OIDC subject (repo:<repo>:environment:<name>) is the only one the production deploy role trusts.
        environmentLine: production ? '    environment: ${{ matrix.environment }}\n' : '',
        matrix: matrixRows(wave.map((e) => ({ environment: e.name, account: e.account, region: e.region, role: e.roles.deploy, app: e.pushesImage ? 'push-image' : 'none' })), 10),
      }).trimEnd();
      return plan ? `${plan}\n${deploy}` : deploy;
    })
    .join('\n');
  const main = render('github/tapctl.yml', {
    ...common,
    diffMatrix: matrixRows(deployOrder(input.environments).map((e) => ({ environment: e.name, account: e.account, region: e.region, role: e.roles.plan })), 10),
    deployJobs,
  });
  const files: PipelineFile[] = [{ path: '.github/workflows/tapctl.yml', content: `${main.trimEnd()}\n` }];
  if (input.previews) {
    const from = input.previews;
    if (!from.roles.preview) throw new Error(`internal: no preview role for '${from.name}'`);
    files.push({ path: '.github/workflows/tapctl-previews.yml', content: render('github/tapctl-previews.yml', { ...common, previewFrom: from.name, previewRole: from.roles.preview, previewRegion: from.region }) });
  }
  return files;
}

function renderGitLab(input: PipelineInput): PipelineFile[] {
  if (!input.audience) throw new Error('internal: a GitLab pipeline needs the ID token audience');
  const waves = deployWaves(input.environments);
  const jobIds = waves.map((_, i) => `deploy-${i + 1}`);
  const stages = ['validate', 'plan', ...jobIds].map((s) => `  - ${s}`).join('\n');
  const deployJobs = waves
    .map((wave, i) =>
      render('gitlab/deploy-job.yml', {
        branch: input.branch,
        jobId: jobIds[i],
        needs: i === 0 ? 'plan' : jobIds[i - 1],
        // Production waits for a person; allow_failure: false keeps the pipeline blocked (not passed) until then.
        whenLine: wave[0].kind === 'production' ? '      when: manual\n' : '',
        tier: GITLAB_TIER[wave[0].kind],
        matrix: matrixRows(wave.map((e) => ({ TAPCTL_ENV: e.name, AWS_REGION: e.region, AWS_ROLE_ARN: e.roles.deploy, TAPCTL_APP: e.pushesImage ? 'push-image' : 'none' })), 6),
      }).trimEnd(),
    )
    .join('\n');
  const content = render('gitlab/gitlab-ci.yml', {
    tapctlVersion: input.tapctlVersion,
    branch: input.branch,
    audience: input.audience,
    stages,
    planMatrix: matrixRows(deployOrder(input.environments).map((e) => ({ TAPCTL_ENV: e.name, AWS_REGION: e.region, AWS_ROLE_ARN: e.roles.plan })), 6),
    deployJobs,
  });
  return [{ path: '.gitlab-ci.yml', content: `${content.trimEnd()}\n` }];
}
