/**
 * failure-lessons.md N1-N7: every physical name tapctl builds, within its AWS limit, for every preset.
 *
 * A name is built from the project and the suffix, so a bad name has a cause the user can edit: the rule asks
 * whether the name would also break with any suffix (a one-letter one); if so the project is at fault and the
 * error is reported at `project`, otherwise at the suffix where the user wrote it, or at the environment's key
 * when the suffix is its name.
 */
import type { ConfigIssue } from '../issues.js';
import { checkNameList, type NameProblem } from '../naming.js';
import { nameChecksOf } from '../presets/index.js';
import type { ResolvedEnvironment } from '../resolve.js';
import { finding, writtenForEnvironment, type EnvironmentRule, type RuleContext } from './rule.js';

const RULE_BY_KEY: Readonly<Record<string, string>> = {
  stack: 'N1',
  kmsAlias: 'N5',
  rotationFunction: 'N3',
  processorFunction: 'N3',
  loadBalancer: 'N4',
  targetGroup: 'N4',
  alternateTargetGroup: 'N4',
  staticBucket: 'N6',
  logsBucket: 'N6',
  dataBucket: 'N6',
  accessLogsBucket: 'N6',
};
const ruleOf = (p: NameProblem) => RULE_BY_KEY[p.key] ?? 'N7';

/** Where the suffix comes from: the `suffix` key the user wrote, or the environment's own name. */
function suffixSource(env: ResolvedEnvironment, ctx: RuleContext): { path: string; what: string; fix: string } {
  if (typeof writtenForEnvironment(ctx, env, 'suffix') === 'string') {
    return { path: 'suffix', what: `suffix '${env.suffix}'`, fix: `shorten environments.${env.name}.suffix, or use only lower-case letters, digits and hyphens` };
  }
  return {
    path: '',
    what: `suffix '${env.suffix}' (the environment name)`,
    fix: `set environments.${env.name}.suffix (lower-case letters, digits and hyphens), or rename the environment`,
  };
}

/** Names that break with any suffix: one issue, said the same way in every environment (so it is reported once). */
function projectIssue(env: ResolvedEnvironment, problems: readonly NameProblem[], templates: ReadonlyMap<string, string>): ConfigIssue {
  const listed = problems.map((p) => `the ${p.limit.what} '${templates.get(p.key) ?? p.name}' (${p.kind === 'length' ? `over ${p.limit.max} characters` : p.limit.patternText})`);
  return {
    severity: 'error',
    rule: ruleOf(problems[0]),
    path: 'project',
    message: `project '${env.project}' makes ${problems.length === 1 ? 'a physical name' : `${problems.length} physical names`} invalid whatever the suffix: ${listed.join('; ')}`,
    hint: `choose a shorter project name without '--' or a trailing '-' (it is in every physical name)`,
    // No environment: it concerns them all, so validate --env <any> shows it.
  };
}

export const nameRules: EnvironmentRule = (env, ctx) => {
  const problems = checkNameList(nameChecksOf(env));
  if (problems.length === 0) return [];
  const anySuffix = new Set(checkNameList(nameChecksOf(env, 'a')).map((p) => p.key));
  const templates = new Map(nameChecksOf(env, '<suffix>').map((c) => [c.key, c.name]));
  const byProject = problems.filter((p) => anySuffix.has(p.key));
  const bySuffix = problems.filter((p) => !anySuffix.has(p.key));

  const source = suffixSource(env, ctx);
  const hint = `names are built from project '${env.project}' and ${source.what}: ${source.fix}`;
  const issues = byProject.length > 0 ? [projectIssue(env, byProject, templates)] : [];
  // One bad character (an underscore, say) breaks many names at once: say so once, naming them.
  const charset = bySuffix.filter((p) => p.kind === 'pattern');
  const single = charset.length > 2 ? bySuffix.filter((p) => !charset.includes(p)) : bySuffix;
  for (const p of single) {
    // With a fixed prefix a name limit is a suffix limit (failure-lessons.md #5): say how long the suffix may be.
    const room = p.kind === 'length' ? p.limit.max - ((templates.get(p.key) ?? '').length - '<suffix>'.length) : undefined;
    issues.push(
      finding(env, source.path, 'error', ruleOf(p), p.message, {
        hint: room !== undefined && room > 0 ? `with project '${env.project}' the suffix may be at most ${room} characters here: ${source.fix}` : hint,
      }),
    );
  }
  if (charset.length > 2) {
    const bad = [...new Set(env.suffix.replace(/[a-z0-9-]/g, ''))].map((c) => `'${c}'`).join(', ');
    issues.push(
      finding(env, source.path, 'error', ruleOf(charset[0]), `${charset.length} physical names would contain ${bad || 'characters AWS refuses'}: ${charset.map((p) => p.name).join(', ')}`, { hint }),
    );
  }
  return issues;
};
