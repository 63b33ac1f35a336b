/**
 * What files a pushed image has, read from the registry without running it: each layer's tar listing, applied
 * in order with the OCI whiteouts (`.wh.<name>` deletes a name from the layers below, `.wh..wh..opq` empties a
 * directory; https://github.com/opencontainers/image-spec/blob/main/layer.md#whiteouts), and the PATH of its
 * config. push-image uses it to warn about a health check the image cannot run (health-check.ts).
 *
 * The layers are streamed and only their tar headers kept (node-tar's Parser, which gunzips by itself); nothing
 * is written to disk. An image whose layers are larger than `maxBytes` is not read (the caller says so).
 */
import { Readable } from 'node:stream';
import { OperationError } from '../cli/errors.js';
import { fetchBlobStream, fetchJsonBlob, type RegistryApiOptions } from './registry-api.js';

export interface ImageFiles {
  /**
   * Every path in the image's final file system, without a leading slash ("bin/sh", "usr/bin/curl"), with the
   * target of each symbolic link (null for anything else): merged-/usr images have "bin" -> "usr/bin".
   */
  readonly paths: ReadonlyMap<string, string | null>;
  /** The directories of PATH in the image config (Docker's default when it sets none). */
  readonly searchPath: readonly string[];
}

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/** Layers above this many bytes (compressed) are not downloaded for a file list. */
export const MAX_LAYER_BYTES = 1024 * 1024 * 1024;

interface SingleManifest {
  readonly config?: { digest: string };
  readonly layers?: ReadonlyArray<{ digest: string; size?: number; mediaType?: string }>;
  readonly manifests?: unknown;
}

/**
 * The file list of one platform's image, from its manifest (a single image's, not a list's: `manifestBody`, as
 * ECR's BatchGetImage or the registry answered it) and its blobs read through `api`.
 */
export async function readImageFiles(api: RegistryApiOptions, repository: string, manifestBody: string, maxBytes = MAX_LAYER_BYTES): Promise<ImageFiles> {
  let manifest: SingleManifest;
  try {
    manifest = JSON.parse(manifestBody) as SingleManifest;
  } catch {
    throw new OperationError(`the manifest of ${repository} is not JSON`, { code: 'registry' });
  }
  if (!manifest.config || !manifest.layers) throw new OperationError(`the manifest of ${repository} is not a single image's manifest`, { code: 'registry' });
  const total = manifest.layers.reduce((n, l) => n + (l.size ?? 0), 0);
  if (total > maxBytes) {
    throw new OperationError(`its layers are ${Math.round(total / 1024 / 1024)} MiB, more than the ${Math.round(maxBytes / 1024 / 1024)} MiB tapctl reads for a file list`, { code: 'too-large' });
  }
  const config = await fetchJsonBlob<{ config?: { Env?: string[] } }>(api, repository, manifest.config.digest);
  const path = (config.config?.Env ?? []).find((e) => e.startsWith('PATH='))?.slice(5) ?? DEFAULT_PATH;
  const paths = new Map<string, string | null>();
  for (const layer of manifest.layers) {
    const entries = await layerEntries(await fetchBlobStream(api, repository, layer.digest));
    applyLayer(paths, entries);
  }
  return { paths, searchPath: path.split(':').filter(Boolean) };
}

export interface LayerEntry {
  readonly path: string;
  /** The target of a symbolic link. */
  readonly link?: string;
}

/** A layer's entries as paths without a leading "./" or "/" (directories without their trailing slash). */
async function layerEntries(stream: ReadableStream<Uint8Array>): Promise<LayerEntry[]> {
  const { Parser } = await import('tar');
  const entries: LayerEntry[] = [];
  const parser = new Parser({
    onReadEntry: (entry) => {
      entries.push({ path: normalize(entry.path), ...(entry.type === 'SymbolicLink' && entry.linkpath ? { link: entry.linkpath } : {}) });
      // Only the headers matter; the parser waits until each entry's body has been read.
      entry.resume();
    },
  });
  await new Promise<void>((resolve, reject) => {
    parser.on('end', () => resolve());
    parser.on('error', reject);
    const source = Readable.fromWeb(stream as never);
    source.on('error', reject);
    source.pipe(parser as never);
  });
  return entries;
}

export const normalize = (p: string) => p.replace(/^\.?\/+/, '').replace(/\/+$/, '');

/** One layer over the ones below: whiteouts delete first, then the layer's own files are added. */
export function applyLayer(paths: Map<string, string | null>, layer: readonly LayerEntry[]): void {
  const under = (dir: string) => (p: string) => dir === '' || p.startsWith(`${dir}/`);
  for (const { path: e } of layer) {
    const slash = e.lastIndexOf('/');
    const dir = slash < 0 ? '' : e.slice(0, slash);
    const base = e.slice(slash + 1);
    if (base === '.wh..wh..opq') {
      for (const p of [...paths.keys()]) if (under(dir)(p)) paths.delete(p);
    } else if (base.startsWith('.wh.')) {
      const gone = dir ? `${dir}/${base.slice(4)}` : base.slice(4);
      paths.delete(gone);
      for (const p of [...paths.keys()]) if (p.startsWith(`${gone}/`)) paths.delete(p);
    }
  }
  for (const { path: e, link } of layer) {
    const base = e.slice(e.lastIndexOf('/') + 1);
    if (e && !base.startsWith('.wh.')) paths.set(e, link ?? null);
  }
}

/**
 * Whether `path` (absolute, or relative to /) exists in the image, following symbolic links in its directories
 * (bin -> usr/bin); a final component that is a link exists as the link.
 */
export function hasPath(files: Pick<ImageFiles, 'paths'>, path: string): boolean {
  let parts = normalize(path).split('/').filter(Boolean);
  // Directories need not be listed themselves (some layers carry only files); a directory that is a link is followed.
  for (let hops = 0, i = 0; i < parts.length - 1; i++) {
    const link = files.paths.get(parts.slice(0, i + 1).join('/'));
    if (!link) continue;
    if (++hops > 16) return false;
    const target = link.startsWith('/') ? normalize(link) : [...parts.slice(0, i), link].join('/');
    parts = [...collapse(target.split('/')), ...parts.slice(i + 1)];
    i = -1;
  }
  return parts.length > 0 && files.paths.has(parts.join('/'));
}

/** Resolves "." and ".." in a relative path's segments. */
function collapse(segments: readonly string[]): string[] {
  const out: string[] = [];
  for (const s of segments) {
    if (s === '' || s === '.') continue;
    if (s === '..') out.pop();
    else out.push(s);
  }
  return out;
}
