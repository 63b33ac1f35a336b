/**
 * `--env <name>` for a name that tapctl.config.yaml does not have: one of the project's previews, found in AWS
 * (find.ts) and derived from its source environment and its tags (derive.ts). Loaded only then, so a configured
 * environment never costs an AWS call to select.
 */
import type { CommandContext } from '../cli/context.js';
import { UsageError } from '../cli/errors.js';
import type { PreviewLookup } from '../cli/project.js';
import { quote } from '../cli/quote.js';
import type { LoadedConfig } from '../config/load.js';
import type { ResolvedEnvironment } from '../config/resolve.js';
import { clientsFor, dedupe, derivePreview, listPreviews, previewTargets, type PreviewStack } from './find.js';
import { looksLikePreviewName } from './name.js';

/**
 * The preview named `name`. Throws `unknown(...)` (exit 2: no such environment, with the previews there are)
 * when there is none, and a UsageError (exit 2) when there is one whose settings cannot be derived.
 */
export async function selectPreview(ctx: CommandContext, loaded: LoadedConfig, name: string, unknown: (found?: PreviewLookup) => Error): Promise<ResolvedEnvironment> {
  const targets = previewTargets(loaded);
  // A name no preview can have (a typo with capitals, 100 KB pasted) is not worth an AWS call.
  if (!looksLikePreviewName(name) || targets.length === 0) throw unknown();
  const project = loaded.environments[0].project;
  const where = targets.map((t) => `${t.account}/${t.region}`);
  ctx.io.debug(`no environment ${quote(name)} in the config: looking for a preview of ${project} in ${where.join(', ')}`);
  const found: PreviewStack[] = [];
  const failures: string[] = [];
  for (const target of targets) {
    try {
      found.push(...(await listPreviews(clientsFor(target, ctx.globals.profile), project, target)));
    } catch (e) {
      failures.push((e as Error).message);
    }
  }
  const previews = dedupe(found);
  const matches = previews.filter((p) => p.name === name);
  if (matches.length === 0) {
    throw unknown({ previews: previews.map((p) => p.name).sort(), where, ...(failures.length === targets.length ? { failed: failures[0] } : {}) });
  }
  if (matches.length > 1) {
    throw new UsageError(`preview ${quote(name)} exists in ${matches.map((m) => `${m.account}/${m.region}`).join(' and ')}: tapctl cannot tell which one --env means`, {
      hint: `delete one of them (aws cloudformation delete-stack --stack-name ${matches[0].stackName} --region <region>)`,
    });
  }
  const match = matches[0];
  const derived = derivePreview(match, loaded.environments);
  if (!derived.ok) {
    throw new UsageError(`preview ${quote(name)} (stack ${match.stackName} in ${match.account}/${match.region}) cannot be used: ${derived.problem}`, {
      hint: `restore its source environment in tapctl.config.yaml, or delete the stack: aws cloudformation delete-stack --stack-name ${match.stackName} --region ${match.region}`,
    });
  }
  ctx.io.debug(`${quote(name)} is a preview of '${derived.env.preview?.source}' (stack ${match.stackName}, ${match.status})`);
  return derived.env;
}
