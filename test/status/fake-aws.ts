/** Typed access to the fake AWS server that lives in scripts/bench-status.js (shared by the benchmark and e2e tests). */
import { pathToFileURL } from 'node:url';

export interface FakeRequest {
  readonly service: string;
  readonly action: string;
  readonly at: number;
}

export interface FakeAws {
  readonly endpoint: string;
  readonly requests: FakeRequest[];
  close(): Promise<void>;
}

export interface FakeScenario {
  readonly account?: string;
  readonly deployed?: boolean;
  readonly deny?: readonly string[];
}

interface BenchModule {
  startFakeAws(scenario?: FakeScenario): Promise<FakeAws>;
  fakeAwsEnv(extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
  benchStatus(options: { runs: number }): Promise<{ startupToFirstCallMs: number; wallMs: number; runs: number }>;
}

export const BENCH_SCRIPT = new URL('../../scripts/bench-status.js', import.meta.url);

export async function benchModule(): Promise<BenchModule> {
  // A plain JS script without declarations: imported by URL and typed here.
  return (await import(pathToFileURL(BENCH_SCRIPT.pathname).href)) as BenchModule;
}
