/**
 * The folder a cloud assembly is written to, and the rule for clearing it: tapctl only ever removes what tapctl
 * wrote.
 *
 * - tapctl's own folder (`.tapctl/<env>/cdk.out`) is a cache: whatever is in it (a finished assembly, or the
 *   `asset.*` a killed synthesis left behind) is cleared and written again.
 * - Any other folder (`synth --out <dir>`) is used when it is empty, or when it holds a cloud assembly tapctl
 *   wrote: one marked by ASSEMBLY_MARKER (written before anything else, so even a half-written assembly is
 *   recognised) and holding nothing but the files a cloud assembly is made of. Anything else in it — a user's
 *   files, another tool's cdk.out — is refused (exit 2), never deleted.
 * - The assembly's own files are listed with their hashes, so the synth cache can tell an assembly that was
 *   changed after tapctl wrote it (a hand-edited template) from the one it wrote.
 */
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { UsageError } from '../cli/errors.js';
import { quote } from '../cli/quote.js';

/** Marks a folder as a cloud assembly written by tapctl. */
export const ASSEMBLY_MARKER = '.tapctl-assembly';
/** The synth cache entry (synthesize.ts), inside the assembly. */
export const SYNTH_CACHE_FILE = 'tapctl-synth.json';

/** The top-level names a cloud assembly written by aws-cdk-lib holds (cloud-assembly-schema), plus tapctl's. */
const ASSEMBLY_ENTRY = /^(manifest\.json|tree\.json|cdk\.out|[^/]+\.template\.json|[^/]+\.assets\.json|[^/]+\.metadata\.json|asset\.[^/]+|\.cache|tapctl-synth\.json(\.\d+\.tmp)?|\.tapctl-assembly)$/;

export interface PrepareOptions {
  /** tapctl's own folder: cleared whatever it holds. */
  readonly owned: boolean;
}

/** Refuses (exit 2) an `--out` folder tapctl may not clear: a file, or a folder holding what tapctl did not write. */
export function checkAssemblyDir(outDir: string): void {
  if (!existsSync(outDir)) return;
  if (!statSync(outDir).isDirectory()) {
    throw new UsageError(`cannot write the cloud assembly to ${quote(outDir)}: it is a file`, { hint: 'give --out a folder that is empty or holds an earlier cloud assembly of tapctl' });
  }
  refuseForeign(outDir);
}

/**
 * `synth --all --out <dir>` writes `<dir>/<env>` per environment: `<dir>` may hold nothing but such folders, each
 * one empty or an assembly tapctl wrote (exit 2 otherwise, before anything is synthesized).
 */
export function checkAssembliesParent(parent: string): void {
  if (!existsSync(parent)) return;
  if (!statSync(parent).isDirectory()) {
    throw new UsageError(`cannot write the cloud assemblies to ${quote(parent)}: it is a file`, { hint: 'give --out a folder that is empty or holds the assemblies of an earlier synth --all' });
  }
  for (const name of readdirSync(parent)) {
    const sub = join(parent, name);
    if (!statSync(sub).isDirectory()) {
      throw new UsageError(`refusing to write the cloud assemblies into ${quote(parent)}: it holds ${quote(name)}, which synth --all did not write`, {
        hint: 'give --out a new or empty folder; tapctl only ever clears the assemblies it wrote',
      });
    }
    checkAssemblyDir(sub);
  }
}

/** Makes `outDir` an empty folder marked as tapctl's, ready for aws-cdk-lib to write into. */
export function prepareAssemblyDir(outDir: string, { owned }: PrepareOptions): void {
  if (existsSync(outDir)) {
    if (!owned) checkAssemblyDir(outDir);
    // tapctl's own folder: a file in its place is in the way, and tapctl's to remove.
    if (!statSync(outDir).isDirectory()) rmSync(outDir, { force: true });
    // The folder itself stays (it may be a link, or a mount): only its entries go.
    else for (const name of readdirSync(outDir)) rmSync(join(outDir, name), { recursive: true, force: true });
  }
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, ASSEMBLY_MARKER), 'A cloud assembly written by tapctl synth; tapctl may clear this folder.\n');
}

/** Refuses a folder that holds anything but an assembly tapctl wrote. */
function refuseForeign(outDir: string): void {
  const entries = readdirSync(outDir);
  if (entries.length === 0) return;
  const foreign = entries.includes(ASSEMBLY_MARKER) ? entries.filter((e) => !ASSEMBLY_ENTRY.test(e)) : entries;
  if (foreign.length === 0) return;
  const shown = `${foreign.slice(0, 3).map((f) => quote(f, 40)).join(', ')}${foreign.length > 3 ? `, and ${foreign.length - 3} more` : ''}`;
  throw new UsageError(
    entries.includes(ASSEMBLY_MARKER)
      ? `refusing to write the cloud assembly into ${quote(outDir)}: besides tapctl's assembly it holds other files (${shown})`
      : `refusing to write the cloud assembly into ${quote(outDir)}: it holds files tapctl did not write (${shown})`,
    { hint: 'give --out a new or empty folder; tapctl only ever clears a folder that holds a cloud assembly it wrote itself' },
  );
}

/** Relative path -> sha256 of every file of the assembly (links by their target), the cache entry excepted. */
export function assemblyFiles(outDir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      const rel = relative(outDir, full);
      if (rel === SYNTH_CACHE_FILE || rel.startsWith(`${SYNTH_CACHE_FILE}.`)) continue;
      const stat = lstatSync(full);
      if (stat.isDirectory()) walk(full);
      else if (stat.isSymbolicLink()) files[rel] = sha256(`link:${readlinkSync(full)}`);
      else if (stat.isFile()) files[rel] = sha256(readFileSync(full));
      else files[rel] = 'special';
    }
  };
  walk(outDir);
  return files;
}

/** The first difference between two file lists, in words, or undefined when equal. */
export function filesDiffer(expected: Readonly<Record<string, string>>, actual: Readonly<Record<string, string>>): string | undefined {
  for (const [file, hash] of Object.entries(expected)) {
    if (!Object.hasOwn(actual, file)) return `${file} is missing`;
    if (actual[file] !== hash) return `${file} was changed`;
  }
  const extra = Object.keys(actual).find((f) => !Object.hasOwn(expected, f));
  return extra ? `${extra} was added` : undefined;
}

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
