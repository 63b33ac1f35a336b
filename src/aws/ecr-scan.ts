/**
 * Scan-on-push results: DescribeImageScanFindings until the scan is done, within a bounded wait.
 * A scan that does not finish in time is reported, never fatal: the image is pushed either way.
 */
import { InterruptedError } from '../cli/errors.js';
import type { AwsClients } from './clients.js';
import { awsErrorName, explainAwsError } from './errors.js';
import { loadSdk } from './sdk.js';

export const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL', 'UNDEFINED'] as const;

export interface ScanFinding {
  readonly severity: string;
  readonly name: string;
  readonly package?: string;
  readonly uri?: string;
}

export interface ScanResult {
  /** COMPLETE, FAILED, UNSUPPORTED_IMAGE ... or TIMEOUT when the wait ran out. */
  readonly status: string;
  readonly description?: string;
  /** Count per severity, every severity present (0 when none). */
  readonly counts: Readonly<Record<string, number>>;
  /** Findings of the first page, most severe first. */
  readonly findings: readonly ScanFinding[];
  /** More findings than listed. */
  readonly truncated: boolean;
}

export interface ScanWaitOptions {
  readonly timeoutMs?: number;
  readonly pollMs?: number;
  readonly signal?: AbortSignal;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly now?: () => number;
  readonly onProgress?: (status: string) => void;
}

const PENDING = new Set(['IN_PROGRESS', 'PENDING', 'SCAN_NOT_FOUND']);

export async function waitForScanFindings(
  clients: AwsClients,
  repositoryName: string,
  imageDigest: string,
  options: ScanWaitOptions = {},
): Promise<ScanResult> {
  const { DescribeImageScanFindingsCommand } = await loadSdk('@aws-sdk/client-ecr');
  const ecr = await clients.ecr();
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? abortableSleep;
  const deadline = now() + (options.timeoutMs ?? 5 * 60_000);
  let status = 'SCAN_NOT_FOUND';
  for (;;) {
    if (options.signal?.aborted) throw new InterruptedError('interrupted while waiting for the image scan; the image is pushed');
    try {
      const out = await ecr.send(
        new DescribeImageScanFindingsCommand({ repositoryName, imageId: { imageDigest }, maxResults: 100 }),
      );
      status = out.imageScanStatus?.status ?? 'PENDING';
      if (!PENDING.has(status)) {
        const f = out.imageScanFindings;
        const basic: ScanFinding[] = (f?.findings ?? []).map((x) => ({
          severity: x.severity ?? 'UNDEFINED',
          name: x.name ?? '?',
          package: packageOf(x.attributes),
          ...(x.uri ? { uri: x.uri } : {}),
        }));
        const enhanced: ScanFinding[] = (f?.enhancedFindings ?? []).map((x) => ({
          severity: x.severity ?? 'UNDEFINED',
          name: x.packageVulnerabilityDetails?.vulnerabilityId ?? x.title ?? '?',
          package: x.packageVulnerabilityDetails?.vulnerablePackages?.[0]?.name,
        }));
        const findings = [...basic, ...enhanced].sort((a, b) => rank(a.severity) - rank(b.severity));
        const counts: Record<string, number> = Object.fromEntries(SEVERITIES.map((s) => [s, 0]));
        const reported = f?.findingSeverityCounts ?? {};
        if (Object.keys(reported).length > 0) for (const [s, n] of Object.entries(reported)) counts[s] = n ?? 0;
        else for (const x of findings) counts[x.severity] = (counts[x.severity] ?? 0) + 1;
        const total = Object.values(counts).reduce((a, b) => a + b, 0);
        return {
          status,
          ...(out.imageScanStatus?.description ? { description: out.imageScanStatus.description } : {}),
          counts,
          findings,
          truncated: Boolean(out.nextToken) || total > findings.length,
        };
      }
    } catch (e) {
      // Scan-on-push starts a moment after the push; until then there is no scan to describe.
      if (awsErrorName(e) !== 'ScanNotFoundException') throw explainAwsError(e, 'reading the image scan findings');
      status = 'SCAN_NOT_FOUND';
    }
    options.onProgress?.(status);
    if (now() >= deadline) {
      return { status: 'TIMEOUT', description: `the scan was still ${status} when the wait ended`, counts: {}, findings: [], truncated: false };
    }
    await sleep(options.pollMs ?? 5000, options.signal);
  }
}

function rank(severity: string): number {
  const i = (SEVERITIES as readonly string[]).indexOf(severity);
  return i < 0 ? SEVERITIES.length : i;
}

function packageOf(attributes: { key?: string; value?: string }[] | undefined): string | undefined {
  const get = (k: string) => attributes?.find((a) => a.key === k)?.value;
  const name = get('package_name');
  const version = get('package_version');
  return name ? (version ? `${name} ${version}` : name) : undefined;
}

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
