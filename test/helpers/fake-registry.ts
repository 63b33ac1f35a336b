/**
 * A small registry (Distribution v2 API) on 127.0.0.1 for tests: manifests by tag or digest, blobs, and the
 * Bearer token flow public registries use (401 with a challenge, an anonymous token from the realm). Images are
 * built from JSON here, so a test says exactly which platforms and files an image has.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export const sha256 = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

export interface FakeRepository {
  /** Manifests by tag and by digest. */
  readonly manifests: Map<string, { mediaType: string; body: string }>;
  readonly blobs: Map<string, Buffer>;
  /** The token service refuses anonymous tokens for it (a private image). */
  readonly private?: boolean;
}

export class FakeRegistry {
  readonly repositories = new Map<string, FakeRepository>();
  /** Every request path, in order. */
  readonly requests: string[] = [];
  private server?: Server;
  host = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', `http://${this.host}`);
      this.requests.push(url.pathname);
      if (url.pathname === '/token') {
        const repo = /repository:([^:]+):pull/.exec(url.searchParams.get('scope') ?? '')?.[1] ?? '';
        if (this.repositories.get(repo)?.private) return void res.writeHead(401).end('{"errors":[{"code":"UNAUTHORIZED"}]}');
        res.writeHead(200, { 'content-type': 'application/json' });
        return void res.end(JSON.stringify({ token: `anon-${repo}` }));
      }
      const m = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/.exec(url.pathname);
      if (!m) return void res.writeHead(404).end();
      const [, repo, kind, ref] = m;
      if (req.headers.authorization !== `Bearer anon-${repo}`) {
        res.writeHead(401, { 'www-authenticate': `Bearer realm="http://${this.host}/token",service="fake",scope="repository:${repo}:pull"` });
        return void res.end();
      }
      const r = this.repositories.get(repo);
      if (kind === 'manifests') {
        const manifest = r?.manifests.get(ref);
        if (!manifest) return void res.writeHead(404).end('{"errors":[{"code":"MANIFEST_UNKNOWN"}]}');
        res.writeHead(200, { 'content-type': manifest.mediaType, 'docker-content-digest': sha256(manifest.body) });
        return void res.end(manifest.body);
      }
      const blob = r?.blobs.get(ref);
      if (!blob) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(blob);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.host = `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private repo(name: string, options: { private?: boolean } = {}): FakeRepository {
    if (!this.repositories.has(name)) this.repositories.set(name, { manifests: new Map(), blobs: new Map(), ...options });
    return this.repositories.get(name)!;
  }

  /** A single-platform image: a config blob naming os/architecture, and `layers` (gzip'd tars). Returns its digest. */
  addImage(name: string, tag: string, config: { os: string; architecture: string; env?: string[] }, layers: Buffer[] = [], options: { private?: boolean } = {}): string {
    const r = this.repo(name, options);
    const configBody = Buffer.from(JSON.stringify({ os: config.os, architecture: config.architecture, config: { Env: config.env ?? ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'] }, rootfs: { type: 'layers', diff_ids: [] } }));
    r.blobs.set(sha256(configBody), configBody);
    for (const l of layers) r.blobs.set(sha256(l), l);
    const body = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(configBody), size: configBody.length },
      layers: layers.map((l) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: sha256(l), size: l.length })),
    });
    const manifest = { mediaType: 'application/vnd.oci.image.manifest.v1+json', body };
    r.manifests.set(tag, manifest);
    r.manifests.set(sha256(body), manifest);
    return sha256(body);
  }

  /** An image index over `platforms` (each a single image of its own). Returns the index digest. */
  addIndex(name: string, tag: string, platforms: Array<{ os: string; architecture: string }>): string {
    const entries = platforms.map((p) => {
      const digest = this.addImage(name, `${tag}-${p.architecture}`, p);
      return { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest, size: 1, platform: p };
    });
    // BuildKit adds an attestation manifest listed as unknown/unknown.
    entries.push({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha256('attestation'), size: 1, platform: { os: 'unknown', architecture: 'unknown' } });
    const body = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: entries });
    const manifest = { mediaType: 'application/vnd.oci.image.index.v1+json', body };
    this.repo(name).manifests.set(tag, manifest);
    this.repo(name).manifests.set(sha256(body), manifest);
    return sha256(body);
  }
}
