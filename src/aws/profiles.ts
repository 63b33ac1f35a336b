/**
 * Whether a named AWS profile exists. The SDK reports a misspelt profile exactly like having no credentials at
 * all ("Could not load credentials from any providers"), which a dry run would then skip past silently.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The profile names in the shared config and credentials files (the SDK's own locations and env overrides). */
export function knownProfiles(env: NodeJS.ProcessEnv = process.env): string[] {
  const files = [
    env.AWS_CONFIG_FILE ?? join(homedir(), '.aws', 'config'),
    env.AWS_SHARED_CREDENTIALS_FILE ?? join(homedir(), '.aws', 'credentials'),
  ];
  const names = new Set<string>();
  for (const file of files) {
    if (!existsSync(file)) continue;
    for (const match of readFileSync(file, 'utf8').matchAll(/^\s*\[\s*(?:profile\s+)?([^\]\s]+)\s*\]/gm)) names.add(match[1]);
  }
  return [...names];
}
