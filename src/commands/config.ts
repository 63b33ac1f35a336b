/** `tapctl config --env <name>`: the fully resolved environment, every default filled in, and its physical names. */
import type { Command } from 'commander';
import type { CommandContext } from '../cli/context.js';
import type { Runner } from '../cli/program.js';
import { loadProject, selectEnvironment } from '../cli/project.js';
import type { ResolvedEnvironment } from '../config/resolve.js';

export function register(program: Command, runner: Runner): Command {
  return program
    .command('config')
    .usage('--env <name> [options]')
    .description('show the resolved config of an environment, with every default and the physical names it implies')
    // The YAML printer loads only to show the result as text: not with --json, never at start-up.
    .action(runner.action(run, { load: async () => render((await import('../config/yaml-print.js')).toYaml) }));
}

export async function run(ctx: CommandContext): Promise<ResolvedEnvironment> {
  const loaded = await loadProject(ctx);
  for (const w of loaded.warnings) ctx.io.warn(`${w.path}  ${w.message}`);
  const env = await selectEnvironment(ctx, loaded);
  // The preset's own physical names (catalog-api and rds-postgres name things differently from ecommerce).
  const { presetNames } = await import('../config/presets/index.js');
  // The deployment plan as it runs (strategy, waits, bake and alarms filled in), not the config's `{}` (qa5 P2 #3).
  const { deploymentOf, resolvedDeploymentConfig } = await import('../config/deployment.js');
  const plan = deploymentOf(env);
  return { ...env, names: presetNames(env), ...(plan ? { deployment: resolvedDeploymentConfig(plan) } : {}) } as unknown as ResolvedEnvironment;
}

/** The result as text, with `toYaml` (config/yaml-print.ts). */
export const render = (toYaml: (value: unknown) => string) => (env: ResolvedEnvironment): string =>
  `# tapctl config --env ${env.name} (resolved)\n${toYaml(env)}`;
