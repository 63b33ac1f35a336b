/**
 * tapctl's working folder in a project: `.tapctl/<environment>/` (init adds it to .gitignore).
 * - cdk.out/      the last synthesized cloud assembly (synth cache)
 * - outputs.json  the stack outputs after the last successful deploy
 *
 * Which image an environment runs is not kept here: it lives in AWS (the release ledger in SSM, the deployed
 * stack), so that a deploy from any clone or CI job is safe (src/release/).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const WORK_DIR_NAME = '.tapctl';

export function envWorkDir(projectDir: string, envName: string): string {
  return join(projectDir, WORK_DIR_NAME, envName);
}

export function assemblyDir(projectDir: string, envName: string): string {
  return join(envWorkDir(projectDir, envName), 'cdk.out');
}

export function outputsFile(projectDir: string, envName: string): string {
  return join(envWorkDir(projectDir, envName), 'outputs.json');
}

export function readJson<T>(path: string): T | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** Written to a temporary file first, so an interrupted write never leaves half a file. */
export function writeJson(path: string, data: unknown): void {
  mkdirSync(join(path, '..'), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(data, null, 2) + '\n');
  renameSync(tmp, path);
}
