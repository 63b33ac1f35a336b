/** An endpoint that accepts connections and never answers (a stalled proxy) must end the command, not hang it. */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { cleanEnv, runTapctl } from '../helpers/cli.js';
import { sampleConfig, tempProject, type TempProject } from '../helpers/project.js';

let server: net.Server;
let project: TempProject;

beforeAll(async () => {
  server = net.createServer(() => {
    // accept, never answer
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  project = tempProject(sampleConfig({ environments: { dev: { account: '111111111111', region: 'us-east-1', endpoint: `http://127.0.0.1:${port}` } } }));
  vi.stubEnv('TAPCTL_AWS_TIMEOUT_MS', '300');
  // The SDK reads credentials from the process environment, not from the env handed to runCli.
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'x');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'y');
});
afterAll(() => {
  vi.unstubAllEnvs();
  server.close();
  project.cleanup();
});

describe('AWS request time-outs', () => {
  it('status against a silent endpoint fails with exit 1 and says no answer came', async () => {
    const started = Date.now();
    const r = await runTapctl(['status', '--env', 'dev'], { cwd: project.dir, env: cleanEnv({ AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y' }) });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/no answer from AWS while checking your AWS identity/);
    expect(r.stderr).toMatch(/TAPCTL_AWS_TIMEOUT_MS/);
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});
