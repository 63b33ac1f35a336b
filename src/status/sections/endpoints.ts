/** Endpoints come from the stack outputs; --probe sends one GET to each health path, in parallel, time-boxed. */
import { hasEdge } from '../../config/edge.js';
import { PRESET_PARTS } from '../../config/presets/index.js';
import type { ResolvedEnvironment } from '../../config/resolve.js';
import type { EndpointInfo, EndpointName, ProbeResult } from '../schema.js';

export const PROBE_TIMEOUT_MS = 5_000;

interface EndpointSource {
  readonly name: EndpointName;
  readonly output: string;
  readonly url: (value: string) => string;
  /** The path probed: the API's mock /health (tapstack.md §8.4), the target group's health path for the ALB. */
  readonly healthPath: (env: ResolvedEnvironment) => string;
}

const SOURCES: readonly EndpointSource[] = [
  { name: 'site', output: 'CloudFrontURL', url: (v) => v, healthPath: () => '/health' },
  { name: 'domain', output: 'DomainURL', url: (v) => v, healthPath: () => '/health' },
  { name: 'api', output: 'APIGatewayURL', url: (v) => v, healthPath: () => '/health' },
  { name: 'apiDomain', output: 'ApiDomainURL', url: (v) => v, healthPath: () => '/health' },
  { name: 'alb', output: 'ALBDNSName', url: (v) => (/^https?:\/\//.test(v) ? v : `http://${v}`), healthPath: (env) => env.container.healthCheckPath },
];

/** Outputs that exist only with a domain: listed when the stack has them, never as "no output". */
const DOMAIN_OUTPUTS = new Set(['DomainURL', 'ApiDomainURL']);

/**
 * The load balancer admits CloudFront's addresses and this stack's header only (origin protection): a probe from
 * here would time out or get 403 and say nothing about its health. The site's own probe goes through CloudFront.
 */
const ALB_NOT_PROBED = 'the load balancer answers CloudFront only; probe the site instead';

export interface EndpointOptions {
  readonly probe: boolean;
  readonly signal: AbortSignal;
  /** Injected by tests; the global fetch otherwise. */
  readonly fetch?: typeof fetch;
}

export async function readEndpoints(env: ResolvedEnvironment, outputs: Readonly<Record<string, string>>, options: EndpointOptions): Promise<EndpointInfo[]> {
  const outputsOfPreset = PRESET_PARTS[env.preset].endpointOutputs;
  return Promise.all(
    SOURCES.filter((source) => outputsOfPreset.includes(source.output) && (!DOMAIN_OUTPUTS.has(source.output) || outputs[source.output])).map(async (source): Promise<EndpointInfo> => {
      const value = outputs[source.output];
      const url = value ? source.url(value) : null;
      const protectedOrigin = source.name === 'alb' && hasEdge(env);
      const probe = url && options.probe && !protectedOrigin ? await probeUrl(joinPath(url, source.healthPath(env)), options) : null;
      return { name: source.name, output: source.output, url, probe, ...(protectedOrigin && options.probe ? { notProbed: ALB_NOT_PROBED } : {}) };
    }),
  );
}

/** `https://x/dev/` + `/health` -> `https://x/dev/health` (the API stage path is kept). */
export function joinPath(base: string, path: string): string {
  return base.replace(/\/+$/, '') + '/' + path.replace(/^\/+/, '');
}

export async function probeUrl(url: string, options: Pick<EndpointOptions, 'signal' | 'fetch'>): Promise<ProbeResult> {
  const started = performance.now();
  const signal = AbortSignal.any([options.signal, AbortSignal.timeout(PROBE_TIMEOUT_MS)]);
  try {
    // redirect: manual, so a redirect shows as what the endpoint answered rather than what it points to.
    const response = await (options.fetch ?? fetch)(url, { method: 'GET', redirect: 'manual', signal, headers: { 'user-agent': 'tapctl-status' } });
    const latencyMs = Math.round(performance.now() - started);
    await response.body?.cancel().catch(() => undefined);
    return { url, ok: response.status >= 200 && response.status < 300, statusCode: response.status, latencyMs, error: null };
  } catch (e) {
    const name = (e as Error)?.name;
    const cause = (e as { cause?: { code?: string; message?: string } })?.cause;
    const error =
      name === 'TimeoutError' || (name === 'AbortError' && !options.signal.aborted)
        ? `no answer within ${PROBE_TIMEOUT_MS / 1000} s`
        : options.signal.aborted
          ? 'interrupted'
          : cause?.code
            ? describeNetworkCode(cause.code)
            : (cause?.message ?? (e as Error)?.message ?? String(e));
    return { url, ok: false, statusCode: null, latencyMs: null, error };
  }
}

const NETWORK_CODES: Readonly<Record<string, string>> = {
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'DNS lookup failed',
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'connection timed out',
  CERT_HAS_EXPIRED: 'TLS certificate expired',
  ERR_TLS_CERT_ALTNAME_INVALID: 'TLS certificate does not match the host',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
};

function describeNetworkCode(code: string): string {
  return NETWORK_CODES[code] ? `${NETWORK_CODES[code]} (${code})` : code;
}
