/**
 * tapctl's working folder in a project, `.tapctl/` (init adds it to .gitignore). Only this module and the
 * caches built on state/verified-cache.ts know its layout. Everything in it is a cache: checked before use,
 * rebuilt when wrong, never the source of truth for a safety decision.
 * - config-cache.json      the resolved config of an unchanged tapctl.config.yaml (config/cache.ts)
 * - <env>/cdk.out/         the last synthesized cloud assembly (synth/synthesize.ts)
 * - <env>/outputs.json     the stack outputs after the last successful deploy (written for scripts; never read)
 *
 * Which image an environment runs is not kept here: it lives in AWS (the release ledger in SSM, the deployed
 * stack), so that a deploy from any clone or CI job is safe (src/release/).
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

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
