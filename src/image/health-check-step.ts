/**
 * push-image's look at the image it just pushed: can it run the container health check? Read from the registry
 * (the file list of the platform's image, image-files.ts), never by running the image. Only ever a warning: the
 * push succeeded, and a person may know better (a health check that calls a program the image gets at run time).
 */
import type { AwsClients } from '../aws/clients.js';
import { getManifest, registryCredentials, type RepositoryRef } from '../aws/ecr.js';
import { isTapctlError } from '../cli/errors.js';
import type { ResolvedEnvironment } from '../config/resolve.js';
import { defaultHealthCheckCommand } from '../infra/image-placeholder.js';
import { emulatedCredentials } from './emulated-registry.js';
import { healthCheckFindings } from './health-check.js';
import { readImageFiles } from './image-files.js';
import type { Fetch } from './registry-api.js';

export interface HealthCheckReport {
  /** The CMD-SHELL command the task definition runs. */
  readonly command: string;
  /** ok: the image has what it needs; warn: it lacks something (findings); not-checked: the file list could not be read (reason). */
  readonly status: 'ok' | 'warn' | 'not-checked';
  readonly findings?: readonly string[];
  readonly reason?: string;
}

export interface HealthCheckInput {
  readonly clients: AwsClients;
  readonly env: ResolvedEnvironment;
  readonly repository: RepositoryRef;
  /** The platform's own image manifest (not a list's). */
  readonly digest: string;
  readonly fetch?: Fetch;
  readonly signal?: AbortSignal;
  readonly maxBytes?: number;
}

export async function checkHealthCommand(input: HealthCheckInput): Promise<HealthCheckReport> {
  const c = input.env.container;
  const command = c.healthCheckCommand ?? defaultHealthCheckCommand(c.port, c.healthCheckPath);
  try {
    const ecr = await registryCredentials(input.clients);
    const creds = input.env.registryEndpoint ? emulatedCredentials(ecr, input.env.registryEndpoint) : ecr;
    const api = { endpoint: creds.endpoint, username: creds.username, password: creds.password, ...(input.fetch ? { fetch: input.fetch } : {}), ...(input.signal ? { signal: input.signal } : {}) };
    const manifest = await getManifest(input.clients, input.repository.name, { imageDigest: input.digest });
    const files = await readImageFiles(api, input.repository.name, manifest.body, input.maxBytes);
    const findings = healthCheckFindings(command, files).map((f) => f.message);
    return findings.length ? { command, status: 'warn', findings } : { command, status: 'ok' };
  } catch (e) {
    if (!isTapctlError(e)) throw e;
    return { command, status: 'not-checked', reason: e.message };
  }
}
