/** The stack outputs after a deploy: the few a person needs now, and all of them in files for scripts. */
import { resolve } from 'node:path';
import { outputsFile, writeJson } from '../state/work-dir.js';
import { byName } from '../cli/plain-text.js';

/** What a person opens or pushes to right after a deploy. */
export const KEY_OUTPUTS = ['CloudFrontURL', 'APIGatewayURL', 'ALBDNSName', 'ECRRepositoryURI'] as const;

export function keyOutputs(outputs: Readonly<Record<string, string>>): Array<[string, string]> {
  return KEY_OUTPUTS.filter((k) => outputs[k] !== undefined).map((k) => [k, outputs[k]]);
}

/**
 * Writes every output as one flat JSON object (key -> value) to the environment's outputs file and, when given,
 * to `extraPath` (relative to `cwd`). Returns the paths written.
 */
export function writeOutputs(projectDir: string, envName: string, outputs: Readonly<Record<string, string>>, extraPath: string | undefined, cwd: string): string[] {
  const sorted = Object.fromEntries(Object.entries(outputs).sort(([a], [b]) => byName(a, b)));
  const paths = [outputsFile(projectDir, envName), ...(extraPath ? [resolve(cwd, extraPath)] : [])];
  for (const path of paths) writeJson(path, sorted);
  return paths;
}
