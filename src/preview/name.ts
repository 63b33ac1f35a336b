/**
 * Which names a preview may have, checked before any AWS call. The name is the suffix of every physical name
 * of the preview's stack, so its length bound comes from the naming limits of the project's preset
 * (config/naming.ts, config/presets): the tightest is the load balancer's 32 characters,
 * `<project>-alb-<name>`. With the longest project name tapctl allows (20 characters) that leaves 7:
 * `pr-<n>` fits every preset for n up to 9999 with any project, and up to 99999 with a project of at most 19
 * characters. test/preview/names.test.ts proves it on synthesized templates of every preset
 * (src/synth/physical-names.ts).
 */
import { UsageError } from '../cli/errors.js';
import { quote } from '../cli/quote.js';
import { checkNameList } from '../config/naming.js';
import { nameChecksOf } from '../config/presets/index.js';
import type { ResolvedEnvironment } from '../config/resolve.js';

/** Lower-case letters and digits in words joined by single hyphens, starting with a letter. */
const PREVIEW_NAME = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;
/** No preview name is longer, whatever the project (sanitizeSuffix's bound). */
export const PREVIEW_NAME_MAX = 50;

/**
 * Names a preview may never have: the words tapctl reads as an environment kind (a preview named `prod` would
 * read as production everywhere a person sees it), and words that mean something else on the command line.
 * A name containing a production word (`prod-fix`) is refused too.
 */
export const RESERVED_NAMES: readonly string[] = ['prod', 'production', 'prd', 'live', 'dev', 'development', 'local', 'staging', 'stage', 'all', 'none', 'default', 'list', 'create', 'sweep'];
const PRODUCTION_WORDS = ['prod', 'production', 'prd', 'live'];

/** Whether `name` could be a preview's name at all (syntax and the absolute bound): worth asking AWS about. */
export function looksLikePreviewName(name: string): boolean {
  return name.length <= PREVIEW_NAME_MAX && PREVIEW_NAME.test(name);
}

/**
 * The longest preview name whose physical names all fit their AWS limits for this source environment's project
 * and preset (a preview's sizes do not change its name lengths).
 */
export function maxPreviewNameLength(source: ResolvedEnvironment): number {
  for (let n = PREVIEW_NAME_MAX; n > 0; n--) {
    if (!checkNameList(nameChecksOf(source, 'a'.repeat(n))).some((p) => p.kind === 'length')) return n;
  }
  return 0;
}

/**
 * Refuses (exit 2) a name that is not a valid, free preview name for `source`'s project: bad characters, too
 * long for the naming limits, reserved, or the name or suffix of a configured environment (their stacks and
 * every physical name would collide).
 */
export function checkPreviewName(name: string, source: ResolvedEnvironment, configured: readonly ResolvedEnvironment[]): void {
  const rules = 'lower-case letters, digits and single hyphens, starting with a letter, e.g. pr-123';
  if (!PREVIEW_NAME.test(name)) throw new UsageError(`${quote(name)} is not a valid preview name: use ${rules}`, { hint: 'tapctl env create pr-123 --from dev' });
  const max = maxPreviewNameLength(source);
  if (name.length > max) {
    throw new UsageError(`preview name ${quote(name)} is ${name.length} characters; with project '${source.project}' (${source.preset}) a preview name may have at most ${max}`, {
      hint: `the name is in every physical name, and the tightest AWS limit (a load balancer's 32 characters) leaves ${max} for it; e.g. pr-${'9'.repeat(Math.max(1, Math.min(5, max - 3)))}`,
    });
  }
  const words = name.split('-');
  if (RESERVED_NAMES.includes(name) || words.some((w) => PRODUCTION_WORDS.includes(w))) {
    throw new UsageError(`${quote(name)} is reserved: a preview's name may not be ${RESERVED_NAMES.map((r) => `'${r}'`).join(', ')}, nor contain a word that names production`, {
      hint: 'name previews after what they preview, e.g. pr-123 or feature-cart',
    });
  }
  const clash = configured.find((e) => e.name.toLowerCase() === name || e.suffix === name);
  if (clash) {
    throw new UsageError(`${quote(name)} is ${clash.name === name ? 'the name' : 'the suffix'} of environment '${clash.name}' in tapctl.config.yaml: a preview would take its stack and every physical name`, {
      hint: 'choose another name, e.g. pr-123',
    });
  }
}
