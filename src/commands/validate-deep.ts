/**
 * `validate --deep`: synthesize the environment with aws-cdk-lib's built-in CloudFormation validation on.
 * Loaded only when asked for: it pulls in aws-cdk-lib and costs seconds per environment.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandContext } from '../cli/context.js';
import type { ConfigIssue } from '../config/issues.js';
import type { ResolvedEnvironment } from '../config/resolve.js';
import { synthesize } from '../synth/synthesize.js';

export async function deepValidate(ctx: CommandContext, env: ResolvedEnvironment): Promise<ConfigIssue[]> {
  ctx.io.info(`synthesizing ${env.name} with CloudFormation validation ...`);
  const outDir = mkdtempSync(join(tmpdir(), 'tapctl-validate-'));
  try {
    const result = await synthesize(env, { validate: true, useCache: false, outDir });
    return result.validationErrors.map((message) => ({
      severity: 'error' as const,
      rule: 'cfn',
      path: `environments.${env.name}`,
      environment: env.name,
      message,
    }));
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}
