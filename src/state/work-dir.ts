/**
 * tapctl's working folder in a project, `.tapctl/` (init adds it to .gitignore). Only this module and the
 * caches built on state/verified-cache.ts know its layout. Everything in it is a cache: checked before use,
 * rebuilt when wrong, never the source of truth for a safety decision.
 * - config-cache.json      the resolved config of an unchanged tapctl.config.yaml (config/cache.ts)
 * - <env>/cdk.out/         the last synthesized cloud assembly (synth/synthesize.ts)
 * - <env>/outputs.json     the stack outputs after the last successful deploy (written for scripts; never read)
 * - <env>/image.json       the image push-image last pushed (deploy runs that one; see readPushedImage)
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isRecord, isString, readVerified, writeVerified, type CacheReadOptions } from './verified-cache.js';

export const WORK_DIR_NAME = '.tapctl';

export function envWorkDir(projectDir: string, envName: string): string {
  return join(projectDir, WORK_DIR_NAME, envName);
}

export function assemblyDir(projectDir: string, envName: string): string {
  return join(envWorkDir(projectDir, envName), 'cdk.out');
}

export function configCacheFile(projectDir: string): string {
  return join(projectDir, WORK_DIR_NAME, 'config-cache.json');
}

export function pushedImageFile(projectDir: string, envName: string): string {
  return join(envWorkDir(projectDir, envName), 'image.json');
}

export interface PushedImage {
  readonly repositoryUri: string;
  readonly tag: string;
  readonly digest: string;
  readonly platform: string;
  readonly pushedAt: string;
}

/** What a pushed-image record is checked against: the environment it is for. */
export interface ImageOwner {
  readonly name: string;
  readonly account: string;
  readonly region: string;
  /** An emulated AWS (LocalStack-style): its registry is not an ECR host. */
  readonly endpoint?: string;
  readonly names: { readonly ecrRepository: string };
}

/** Docker's tag grammar and an OCI sha256 digest. */
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
/** host[:port]/path, as a registry reference allows (lower-case path components). */
const REPOSITORY = /^([A-Za-z0-9.-]+(?::\d{1,5})?)\/([a-z0-9]+(?:[._/-][a-z0-9]+)*)$/;
const ECR_HOST = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;

function recordShape(data: unknown): string | undefined {
  if (!isRecord(data)) return 'it is not an image record';
  for (const key of ['repositoryUri', 'tag', 'digest', 'platform', 'pushedAt'] as const) {
    if (!isString(data[key])) return `its ${key} is missing`;
  }
  if (!TAG.test(data.tag as string)) return 'its tag is not a valid image tag';
  if (!DIGEST.test(data.digest as string)) return 'its digest is not a sha256 digest';
  return undefined;
}

/**
 * Whether the record names the environment's own repository: push-image only ever pushes there, so a record
 * naming any other registry or repository is not one push-image wrote and must never reach a task definition.
 */
function ownerProblem(record: PushedImage, owner: ImageOwner): string | undefined {
  const match = REPOSITORY.exec(record.repositoryUri);
  if (!match) return 'its repositoryUri is not an image repository';
  const [, host, path] = match;
  if (path !== owner.names.ecrRepository) return `its repository is not ${owner.names.ecrRepository}, the one of environment '${owner.name}'`;
  const ecr = ECR_HOST.exec(host);
  if (ecr && (ecr[1] !== owner.account || ecr[2] !== owner.region)) return `its registry is not the one of account ${owner.account} in ${owner.region}`;
  if (!ecr && !owner.endpoint) return 'its registry is not an ECR registry';
  return undefined;
}

/**
 * The image push-image recorded for `owner`, when the record is intact and names the environment's own
 * repository; otherwise undefined (and one warning through `options.onInvalid`).
 */
export function readPushedImage(projectDir: string, owner: ImageOwner, options: CacheReadOptions = {}): PushedImage | undefined {
  return readVerified<PushedImage>(
    pushedImageFile(projectDir, owner.name),
    (data) => recordShape(data) ?? ownerProblem(data as PushedImage, owner),
    // A record of the tapctl before hashed caches is still the image that runs: read it, through the same checks.
    { label: `.tapctl/${owner.name}/image.json`, legacy: true, ...options },
  );
}

export function writePushedImage(projectDir: string, envName: string, image: PushedImage): void {
  writeVerified(pushedImageFile(projectDir, envName), image);
}

export function outputsFile(projectDir: string, envName: string): string {
  return join(envWorkDir(projectDir, envName), 'outputs.json');
}

/** Written to a temporary file first, so an interrupted write never leaves half a file. */
export function writeJson(path: string, data: unknown): void {
  mkdirSync(join(path, '..'), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(data, null, 2) + '\n');
  renameSync(tmp, path);
}
