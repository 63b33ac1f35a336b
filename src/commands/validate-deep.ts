/**
 * `validate --deep`: synthesize the environment with aws-cdk-lib's built-in CloudFormation validation on.
 * Loaded only when asked for: it pulls in aws-cdk-lib and costs seconds per environment. For the catalog-api
 * preset it also runs the spec's pre-deployment checks on the template (src/infra/presets/catalog-checks.ts).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandContext } from '../cli/context.js';
import type { ConfigIssue } from '../config/issues.js';
import type { ResolvedEnvironment } from '../config/resolve.js';
import type { SynthesizedTemplate } from '../synth/physical-names.js';
import { synthesize } from '../synth/synthesize.js';

/** `templates` collects each synthesized template for the checks across environments (physicalNameIssues). */
export async function deepValidate(ctx: CommandContext, env: ResolvedEnvironment, templates: SynthesizedTemplate[] = []): Promise<ConfigIssue[]> {
  ctx.io.info(`synthesizing ${env.name} with CloudFormation validation ...`);
  const outDir = mkdtempSync(join(tmpdir(), 'tapctl-validate-'));
  try {
    const result = await synthesize(env, { validate: true, useCache: false, outDir });
    const issues: ConfigIssue[] = result.validationErrors.map((message) => ({
      severity: 'error' as const,
      rule: 'cfn',
      path: `environments.${env.name}`,
      environment: env.name,
      message,
    }));
    if (env.preset === 'catalog-api' && result.templatePath) issues.push(...(await catalogIssues(env, result.templatePath)));
    if (result.templatePath) {
      templates.push({ environment: env.name, account: env.account, region: env.region, stackName: env.names.stack, template: JSON.parse(readFileSync(result.templatePath, 'utf8')) });
    }
    return issues;
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

/**
 * The catalog spec's pre-deployment checks on the synthesized template (presets.md a.13): a critical finding is
 * an error (the spec's exit 1, "deployment blocked", is validate's exit 2), a warning stays a warning.
 */
async function catalogIssues(env: ResolvedEnvironment, templatePath: string): Promise<ConfigIssue[]> {
  const { catalogTemplateChecks } = await import('../infra/presets/catalog-checks.js');
  const template = JSON.parse(readFileSync(templatePath, 'utf8'));
  return catalogTemplateChecks(template, env).map((f) => ({
    severity: f.severity === 'critical' ? ('error' as const) : ('warning' as const),
    rule: f.check,
    path: `environments.${env.name}`,
    environment: env.name,
    message: f.resource ? `${f.resource}: ${f.message}` : f.message,
  }));
}

/**
 * N9-N11 across the synthesized environments (src/synth/physical-names.ts): every physical name in the templates,
 * the ones CDK generates included, within its AWS limit and unique where two environments share a namespace.
 */
export async function physicalNameIssues(templates: readonly SynthesizedTemplate[]): Promise<ConfigIssue[]> {
  const { nameIssues } = await import('../synth/physical-names.js');
  return nameIssues(templates);
}
