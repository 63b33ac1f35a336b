/**
 * An endpoint that answers, but not as AWS (a captive portal's HTML page, a proxy's error page, bytes of
 * nothing): explained as that, never as an SDK parse error or as "account ''". Real SDK clients against a local
 * HTTP server, since what matters is how each protocol's parser fails.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DescribeStacksCommand, CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AwsClients } from '../../src/aws/clients.js';
import { explainAwsError, notAwsResponse } from '../../src/aws/errors.js';
import { cleanEnv, runTapctl } from '../helpers/cli.js';
import { sampleConfig, tempProject, type TempProject } from '../helpers/project.js';

type Answer = { status: number; type: string; body: string; headers?: Record<string, string> };
const ANSWERS: Record<string, Answer> = {
  'html-500': { status: 500, type: 'text/html', body: '<!DOCTYPE html><html><body><h1>Internal Server Error</h1></body></html>' },
  'html-200': { status: 200, type: 'text/html; charset=utf-8', body: '<html><head><title>Sign in to the Wi-Fi</title></head><body>portal</body></html>' },
  'html-403': { status: 403, type: 'text/html', body: '<html><body>Forbidden by the proxy</body></html>' },
  garbage: { status: 200, type: 'application/octet-stream', body: '\u0000\u0001garbage{{{' },
  // HTML with AWS's request id: the emulators answer so (a portal does not send AWS's headers).
  'html-200-aws': { status: 200, type: 'text/html', body: '<html></html>', headers: { 'x-amz-request-id': 'r-1' } },
  // Nothing at all: no body, no content type, no request id.
  'empty-200': { status: 200, type: '', body: '' },
  // What S3's HeadBucket gives: no body, but AWS's request id.
  'empty-200-aws': { status: 200, type: '', body: '', headers: { 'x-amz-request-id': 'r-2' } },
};

let server: Server;
let base: string;

beforeAll(async () => {
  // The first path segment picks the answer: http://host/<answer>/...
  server = createServer((req, res) => {
    req.resume();
    const answer = ANSWERS[(req.url ?? '/').split('/')[1]] ?? ANSWERS['html-500'];
    res.writeHead(answer.status, { ...(answer.type ? { 'content-type': answer.type } : {}), ...answer.headers });
    res.end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => server.close());

const config = (answer: string) => ({ endpoint: `${base}/${answer}`, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, maxAttempts: 1 });

async function failureOf(send: () => Promise<unknown>): Promise<unknown> {
  try {
    await send();
  } catch (e) {
    return e;
  }
  throw new Error('the call did not fail');
}

describe('explainAwsError: an answer that is not AWS', () => {
  const cases: Array<[string, string, (answer: string) => Promise<unknown>]> = [
    ['CloudFormation (XML query protocol)', 'html-500', (a) => new CloudFormationClient(config(a)).send(new DescribeStacksCommand({ StackName: 's' }))],
    ['CloudFormation (XML query protocol)', 'html-403', (a) => new CloudFormationClient(config(a)).send(new DescribeStacksCommand({ StackName: 's' }))],
    ['ECR (JSON protocol)', 'html-200', (a) => new ECRClient(config(a)).send(new DescribeRepositoriesCommand({}))],
    ['SSM (JSON protocol)', 'html-500', (a) => new SSMClient(config(a)).send(new GetParameterCommand({ Name: 'n' }))],
    ['S3 (REST XML)', 'html-500', (a) => new S3Client({ ...config(a), forcePathStyle: true }).send(new HeadBucketCommand({ Bucket: 'b' }))],
  ];
  for (const [service, answer, call] of cases) {
    it(`${service}, ${answer}: says an HTML page answered, with its HTTP status`, async () => {
      const e = await failureOf(() => call(answer));
      const explained = explainAwsError(e, 'reading something');
      expect(explained.code).toBe('not-aws-response');
      expect(explained.message).toBe(`while reading something, the endpoint answered with an HTML page, HTTP ${ANSWERS[answer].status}: that is not AWS`);
      expect(explained.message).not.toMatch(/Deserialization|Unexpected token|Unknown/);
      expect(explained.hint).toMatch(/proxy, a captive portal or a wrong endpoint/);
    });
  }

  it('bytes that are neither XML nor JSON: named by their content type', async () => {
    for (const call of [() => new ECRClient(config('garbage')).send(new DescribeRepositoriesCommand({})), () => new CloudFormationClient(config('garbage')).send(new DescribeStacksCommand({ StackName: 's' }))]) {
      const explained = explainAwsError(await failureOf(call), 'listing');
      expect(explained).toMatchObject({ code: 'not-aws-response', message: 'while listing, the endpoint answered with something that is not an AWS response (application/octet-stream), HTTP 200: that is not AWS' });
    }
  });

  it('a real AWS error stays an AWS error (access denied, a named error with its request id)', () => {
    const denied = Object.assign(new Error('User is not authorized to perform: ecr:DescribeRepositories'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400, requestId: 'r-1' } });
    expect(notAwsResponse(denied)).toBeUndefined();
    expect(explainAwsError(denied, 'x').code).toBe('access-denied');
    const unknownFromAws = Object.assign(new Error('Unknown'), { name: 'Unknown', $metadata: { httpStatusCode: 500, requestId: 'r-2' }, $response: { statusCode: 500, headers: { 'content-type': 'text/xml' } } });
    expect(notAwsResponse(unknownFromAws)).toBeUndefined();
    // A JSON.parse elsewhere in tapctl (no SDK metadata) is not an endpoint's answer.
    expect(notAwsResponse(new SyntaxError('Unexpected token < in JSON at position 0'))).toBeUndefined();
  });
});

describe("tapctl's clients: an HTML page with HTTP 200 is no answer (the XML protocols would read it as an empty one)", () => {
  beforeAll(() => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'x');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'y');
  });
  afterAll(() => vi.unstubAllEnvs());
  const clients = (answer: string) => new AwsClients({ region: 'us-east-1', endpoint: `${base}/${answer}` });

  it('CloudFormation: "no stacks" from a captive portal fails as not AWS', async () => {
    const e = await failureOf(async () => (await clients('html-200').cloudFormation()).send(new DescribeStacksCommand({ StackName: 's' })));
    expect(explainAwsError(e, 'reading stack s')).toMatchObject({ code: 'not-aws-response', message: 'while reading stack s, the endpoint answered with an HTML page, HTTP 200: that is not AWS' });
  });

  it('S3: HeadBucket does not say a bucket exists because a portal answered 200', async () => {
    const e = await failureOf(async () => (await clients('html-200').s3()).send(new HeadBucketCommand({ Bucket: 'b' })));
    expect(explainAwsError(e, 'looking for bucket b').code).toBe('not-aws-response');
  });

  it("an HTML answer with AWS's request id passes (the AWS emulators answer some JSON APIs as text/html)", async () => {
    await expect((await clients('html-200-aws').s3()).send(new HeadBucketCommand({ Bucket: 'b' }))).resolves.toBeDefined();
  });

  it('an empty HTTP 200 without a request id is refused: CloudFormation would read it as "no stacks", SSM as "no parameters"', async () => {
    for (const send of [
      async () => (await clients('empty-200').cloudFormation()).send(new DescribeStacksCommand({ StackName: 's' })),
      async () => (await clients('empty-200').ssm()).send(new GetParameterCommand({ Name: 'n' })),
    ]) {
      expect(explainAwsError(await failureOf(send), 'reading')).toMatchObject({ code: 'not-aws-response', message: 'while reading, the endpoint answered with something that is not an AWS response, HTTP 200: that is not AWS' });
    }
  });

  it("an empty answer with AWS's request id passes (S3's HeadBucket has no body)", async () => {
    await expect((await clients('empty-200-aws').s3()).send(new HeadBucketCommand({ Bucket: 'b' }))).resolves.toBeDefined();
  });
});

describe('a command against an endpoint that is not AWS', () => {
  let project: TempProject;
  beforeAll(() => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'x');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'y');
  });
  afterAll(() => {
    vi.unstubAllEnvs();
    project?.cleanup();
  });

  const said: Record<string, string> = {
    'html-500': 'while checking your AWS identity, the endpoint answered with an HTML page, HTTP 500: that is not AWS',
    // An HTML page with status 200, which STS's XML parser alone would read as an empty answer (aws/clients.ts).
    'html-200': 'while checking your AWS identity, the endpoint answered with an HTML page, HTTP 200: that is not AWS',
  };
  for (const answer of Object.keys(said)) {
    it(`status, ${answer}: the identity check says the endpoint is not AWS (exit 1), never "account ''"`, async () => {
      project?.cleanup();
      project = tempProject(sampleConfig({ environments: { dev: { account: '111111111111', region: 'us-east-1', endpoint: `${base}/${answer}` } } }));
      const r = await runTapctl(['status', '--env', 'dev'], { cwd: project.dir, env: cleanEnv({ AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y' }) });
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain(said[answer]);
      expect(r.stderr).not.toMatch(/account ''|refusing to touch/);
    });
  }
});
