#!/usr/bin/env node
/**
 * How fast `tapctl status` starts and finishes, against a fake AWS on 127.0.0.1 (no network, no account).
 *
 *   node scripts/bench-status.js            # needs `npm run build` first; RUNS=9 for more runs
 *
 * The fake answers the AWS protocols for exactly the calls status makes: STS GetCallerIdentity and
 * CloudFormation DescribeStacks (query/XML), ECS (JSON 1.1), ELBv2 and RDS (query/XML), CloudWatch
 * DescribeAlarms (JSON 1.0). It is reached through the environment's `endpoint:` key, and test/status uses it too.
 *
 * startupToFirstCallMs: from spawning bin/tapctl.cjs to the first request arriving at the fake.
 * wallMs: from spawning to the process exiting.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'tapctl.cjs');

const XMLNS = {
  sts: 'https://sts.amazonaws.com/doc/2011-06-15/',
  cloudformation: 'http://cloudformation.amazonaws.com/doc/2010-05-15/',
  elasticloadbalancing: 'http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/',
  rds: 'http://rds.amazonaws.com/doc/2014-10-31/',
};

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const xml = (tag, body) => `<${tag}>${body}</${tag}>`;
const members = (items, tag = 'member') => items.map((i) => xml(tag, i)).join('');

/**
 * Starts the fake AWS. `scenario`:
 *   account   the account STS reports (default 111111111111)
 *   deployed  false: DescribeStacks says the stack does not exist (default true)
 *   deny      services whose calls answer AccessDenied: 'ecs', 'elasticloadbalancing', 'rds', 'monitoring' ...
 *   project, suffix, region   used in the stack outputs (default shop, dev, us-east-1)
 * Returns { endpoint, requests, onRequest(fn), close() }; each request is { service, action, at } (at: performance.now()).
 */
export async function startFakeAws(scenario = {}) {
  const s = { account: '111111111111', deployed: true, deny: [], project: 'shop', suffix: 'dev', region: 'us-east-1', ...scenario };
  const requests = [];
  const listeners = new Set();
  const server = createServer((req, res) => {
    const at = performance.now();
    const scope = /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\//.exec(req.headers.authorization ?? '');
    const service = scope ? scope[1] : 'unknown';
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const target = req.headers['x-amz-target'];
      const params = target ? JSON.parse(body || '{}') : Object.fromEntries(new URLSearchParams(body));
      const action = target ? String(target).split('.').pop() : params.Action;
      const request = { service, action, at };
      requests.push(request);
      for (const l of listeners) l(request);
      answer(s, service, action, params, Boolean(target), res);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.keepAliveTimeout = 1000;
  const { port } = server.address();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    onRequest(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

function answer(s, service, action, params, json, res) {
  const send = (status, contentType, text) => {
    res.writeHead(status, { 'content-type': contentType, 'x-amzn-requestid': 'fake-request' });
    res.end(text);
  };
  const ok = (text) => send(200, 'text/xml', `<${action}Response xmlns="${XMLNS[service] ?? ''}">${xml(`${action}Result`, text)}<ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata></${action}Response>`);
  const queryError = (code, message) =>
    send(400, 'text/xml', `<ErrorResponse>${xml('Error', `<Type>Sender</Type>${xml('Code', code)}${xml('Message', esc(message))}`)}<RequestId>fake</RequestId></ErrorResponse>`);
  const jsonOk = (data) => send(200, json ? 'application/x-amz-json-1.1' : 'application/json', JSON.stringify(data));
  const jsonError = (type, message) => {
    res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': type });
    res.end(JSON.stringify({ __type: type, message }));
  };

  if (s.deny.includes(service)) {
    const iamPrefix = service === 'monitoring' ? 'cloudwatch' : service;
    const message = `User: arn:aws:iam::${s.account}:user/bench is not authorized to perform: ${iamPrefix}:${action} because no identity-based policy allows it`;
    return json ? jsonError('AccessDeniedException', message) : queryError('AccessDenied', message);
  }
  const now = new Date();
  const iso = now.toISOString();
  const epoch = now.getTime() / 1000;
  const base = `${s.project}-${s.suffix}`;
  const stackName = params.StackName ?? `TapStack-${base}`;

  switch (`${service}:${action}`) {
    case 'sts:GetCallerIdentity':
      return ok(`${xml('Arn', `arn:aws:iam::${s.account}:user/bench`)}${xml('UserId', 'AIDAFAKE')}${xml('Account', s.account)}`);
    case 'cloudformation:DescribeStacks': {
      if (!s.deployed) return queryError('ValidationError', `Stack with id ${stackName} does not exist`);
      const outputs = {
        CloudFrontURL: 'https://d111111abcdef8.cloudfront.net',
        APIGatewayURL: `https://abc123.execute-api.${s.region}.amazonaws.com/development/`,
        ALBDNSName: `${s.project}-alb-${s.suffix}-123.${s.region}.elb.amazonaws.com`,
        ECSClusterName: `${s.project}-cluster-${s.suffix}`,
        ECSServiceName: `${s.project}-service-${s.suffix}`,
        ECRRepositoryURI: `${s.account}.dkr.ecr.${s.region}.amazonaws.com/${s.project}-app-${s.suffix}`,
        DatabaseEndpoint: `${s.project}-db-${s.suffix}.cluster-abc.${s.region}.rds.amazonaws.com`,
      };
      const outputXml = members(Object.entries(outputs).map(([k, v]) => `${xml('OutputKey', k)}${xml('OutputValue', esc(v))}`));
      const stack =
        xml('StackName', stackName) +
        xml('StackId', `arn:aws:cloudformation:${s.region}:${s.account}:stack/${stackName}/0000`) +
        xml('CreationTime', iso) +
        xml('LastUpdatedTime', iso) +
        xml('StackStatus', 'UPDATE_COMPLETE') +
        xml('EnableTerminationProtection', 'false') +
        xml('Outputs', outputXml);
      return ok(xml('Stacks', members([stack])));
    }
    case 'ecs:DescribeServices': {
      const taskDefinition = `arn:aws:ecs:${s.region}:${s.account}:task-definition/${s.project}-app-${s.suffix}:3`;
      return jsonOk({
        services: [
          {
            serviceName: params.services?.[0],
            clusterArn: params.cluster,
            status: 'ACTIVE',
            desiredCount: 2,
            runningCount: 2,
            pendingCount: 0,
            deployments: [
              { id: 'ecs-svc/1', status: 'PRIMARY', taskDefinition, desiredCount: 2, runningCount: 2, pendingCount: 0, failedTasks: 0, rolloutState: 'COMPLETED', createdAt: epoch, updatedAt: epoch },
            ],
            events: [{ id: 'e1', createdAt: epoch, message: `(service ${params.services?.[0]}) has reached a steady state.` }],
          },
        ],
        failures: [],
      });
    }
    case 'ecs:ListTasks':
      return jsonOk({ taskArns: [`arn:aws:ecs:${s.region}:${s.account}:task/${s.project}/t1`] });
    case 'ecs:DescribeTasks':
      return jsonOk({
        tasks: (params.tasks ?? []).map((arn) => ({
          taskArn: arn,
          taskDefinitionArn: `arn:aws:ecs:${s.region}:${s.account}:task-definition/${s.project}-app-${s.suffix}:3`,
          lastStatus: 'RUNNING',
          containers: [{ name: 'app', imageDigest: `sha256:${'a'.repeat(64)}` }],
        })),
        failures: [],
      });
    case 'ecs:DescribeTaskDefinition':
      return jsonOk({
        taskDefinition: {
          taskDefinitionArn: params.taskDefinition,
          containerDefinitions: [{ name: 'app', essential: true, image: `${s.account}.dkr.ecr.${s.region}.amazonaws.com/${s.project}-app-${s.suffix}:v1` }],
        },
      });
    case 'elasticloadbalancing:DescribeTargetGroups': {
      const name = params['Names.member.1'] ?? `${s.project}-tg-${s.suffix}`;
      return ok(xml('TargetGroups', members([`${xml('TargetGroupName', name)}${xml('TargetGroupArn', `arn:aws:elasticloadbalancing:${s.region}:${s.account}:targetgroup/${name}/abc`)}`])));
    }
    case 'elasticloadbalancing:DescribeTargetHealth':
      return ok(
        xml(
          'TargetHealthDescriptions',
          members(['10.0.1.10', '10.0.2.10'].map((ip) => `${xml('Target', `${xml('Id', ip)}${xml('Port', '3000')}`)}${xml('TargetHealth', xml('State', 'healthy'))}`)),
        ),
      );
    case 'rds:DescribeDBClusters': {
      const id = params.DBClusterIdentifier;
      const member = (instance, writer) => xml('DBClusterMember', `${xml('DBInstanceIdentifier', instance)}${xml('IsClusterWriter', String(writer))}`);
      return ok(
        xml(
          'DBClusters',
          xml(
            'DBCluster',
            xml('DBClusterIdentifier', id) +
              xml('Status', 'available') +
              xml('Engine', 'aurora-postgresql') +
              xml('EngineVersion', '16.4') +
              xml('Endpoint', `${id}.cluster-abc.${s.region}.rds.amazonaws.com`) +
              xml('ReaderEndpoint', `${id}.cluster-ro-abc.${s.region}.rds.amazonaws.com`) +
              xml('DBClusterMembers', member(`${id}-writer`, true) + member(`${id}-reader`, false)) +
              xml('ServerlessV2ScalingConfiguration', `${xml('MinCapacity', '0.5')}${xml('MaxCapacity', '2')}`),
          ),
        ),
      );
    }
    case 'rds:DescribeDBInstances': {
      const id = params['Filters.Filter.1.Values.Value.1'] ?? `${s.project}-db-${s.suffix}`;
      const instance = (name) => xml('DBInstance', `${xml('DBInstanceIdentifier', name)}${xml('DBInstanceStatus', 'available')}${xml('DBInstanceClass', 'db.serverless')}`);
      return ok(xml('DBInstances', instance(`${id}-writer`) + instance(`${id}-reader`)));
    }
    case 'ssm:GetParameters':
      // An empty release ledger: every name asked for is unknown.
      return jsonOk({ Parameters: [], InvalidParameters: params.Names ?? [] });
    case 'monitoring:DescribeAlarms':
      return jsonOk({
        MetricAlarms: (params.AlarmNames ?? []).map((name) => ({ AlarmName: name, StateValue: 'OK', StateUpdatedTimestamp: epoch, StateReason: 'Threshold Crossed: no datapoints were breaching' })),
        CompositeAlarms: [],
      });
    default:
      return json ? jsonError('UnknownOperationException', `${service}:${action}`) : queryError('InvalidAction', `the fake AWS does not know ${service}:${action}`);
  }
}

/** A project folder whose environment `dev` sends every AWS call to `endpoint`. */
export function fakeProject(endpoint, { account = '111111111111' } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'tapctl-bench-status-'));
  writeFileSync(
    join(dir, 'tapctl.config.yaml'),
    ['project: shop', 'environments:', '  dev:', `    account: "${account}"`, '    region: us-east-1', `    endpoint: ${endpoint}`, ''].join('\n'),
  );
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The environment of a spawned run: dummy credentials only, nothing from the developer's shell. */
export function fakeAwsEnv(extra = {}) {
  const keep = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'XDG_CONFIG_HOME'];
  return {
    ...Object.fromEntries(keep.filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k]])),
    NO_COLOR: '1',
    AWS_ACCESS_KEY_ID: 'AKIAFAKEBENCH',
    AWS_SECRET_ACCESS_KEY: 'fake-secret',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...extra,
  };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

function runOnce(fake, cwd) {
  return new Promise((resolve, reject) => {
    let first;
    const off = fake.onRequest((r) => (first ??= r.at));
    const started = performance.now();
    const child = spawn(process.execPath, [BIN, 'status', '--env', 'dev'], { cwd, env: fakeAwsEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.resume();
    child.on('error', reject);
    child.on('close', (code) => {
      const ended = performance.now();
      off();
      if (code !== 0) return reject(new Error(`tapctl status exited ${code}:\n${stderr}`));
      if (first === undefined) return reject(new Error('tapctl status never called the fake AWS'));
      resolve({ startupToFirstCallMs: first - started, wallMs: ended - started });
    });
  });
}

/** Medians over `runs` spawned runs (after one unmeasured warm-up run that fills the file cache). */
export async function benchStatus({ runs = 7 } = {}) {
  if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npm run build` first');
  const fake = await startFakeAws();
  const project = fakeProject(fake.endpoint);
  try {
    await runOnce(fake, project.dir);
    const results = [];
    for (let i = 0; i < runs; i++) results.push(await runOnce(fake, project.dir));
    const round = (n) => Math.round(n * 10) / 10;
    return {
      startupToFirstCallMs: round(median(results.map((r) => r.startupToFirstCallMs))),
      wallMs: round(median(results.map((r) => r.wallMs))),
      runs,
    };
  } finally {
    project.cleanup();
    await fake.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await benchStatus({ runs: Number(process.env.RUNS) || 7 });
  console.log(`tapctl status (median of ${result.runs}): start-up to first AWS call ${result.startupToFirstCallMs} ms, wall ${result.wallMs} ms`);
}
