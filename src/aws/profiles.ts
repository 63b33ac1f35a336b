/**
 * Whether a named AWS profile exists. The SDK reports a misspelt profile exactly like having no credentials at
 * all ("Could not load credentials from any providers"), which a dry run would then skip past silently.
 */
import { existsSync, readFileSync } from 'node:fs';
import { UsageError } from '../cli/errors.js';
import { quote } from '../cli/quote.js';
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
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? 'error';
      throw new UsageError(`cannot read the AWS ${file === files[0] ? 'config' : 'credentials'} file ${quote(file)} (${code === 'EISDIR' ? 'it is a folder' : code})`, {
        hint: 'it must be a file you can read; AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE move it',
      });
    }
    for (const match of text.matchAll(/^\s*\[\s*(?:profile\s+)?([^\]\s]+)\s*\]/gm)) names.add(match[1]);
  }
  return [...names];
}
