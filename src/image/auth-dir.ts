/**
 * A private folder for one run's registry credentials: created 0700 under the system temp folder (never in
 * the project), files inside forced to 0600, removed when the push is done or fails.
 */
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function withPrivateDir<T>(fn: (dir: string) => Promise<T>, base = tmpdir()): Promise<T> {
  const dir = mkdtempSync(join(base, 'tapctl-auth-'));
  chmodSync(dir, 0o700);
  try {
    return await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Tightens every file under `dir` to 0600 (a login tool may have used its own umask). */
export function lockDown(dir: string): void {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const st = statSync(path);
    if (st.isDirectory()) lockDown(path);
    else chmodSync(path, 0o600);
  }
}
