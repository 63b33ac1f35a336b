/**
 * `tapctl status` shows what a preset has: rds-postgres has no service, targets or endpoints (each says so) and
 * a primary with replicas instead of an Aurora cluster; catalog-api has no API endpoint and its own alarm set.
 * AWS is mocked at the SDK boundary (style.md pattern 9).
 */
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeServicesCommand, ECSClient, ListTasksCommand } from '@aws-sdk/client-ecs';
import { DescribeTargetGroupsCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { Writable } from 'node:stream';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { AwsClients } from '../../src/aws/clients.js';
import { IoHost } from '../../src/cli/io-host.js';
import { presetAlarmNames } from '../../src/config/presets/index.js';
import { renderStatus } from '../../src/status/render.js';
import { SCHEMA_VERSION, type StatusDocument } from '../../src/status/schema.js';
import { readSections } from '../../src/status/sections/index.js';
import { presetEnv } from './fixtures.js';

const rds = mockClient(RDSClient);
const cloudWatch = mockClient(CloudWatchClient);
const ecs = mockClient(ECSClient);
const elb = mockClient(ElasticLoadBalancingV2Client);
afterEach(() => [rds, cloudWatch, ecs, elb].forEach((m) => m.reset()));

const context = (env: ReturnType<typeof presetEnv>, outputs: Record<string, string>) => ({
  clients: new AwsClients({ region: env.region }),
  env,
  outputs,
  signal: new AbortController().signal,
});

describe('status of an rds-postgres environment', () => {
  const env = presetEnv('rds-postgres', 'prod', { network: { maxAzs: 3 }, postgres: { readReplicas: 2 } }, 'shop');

  it('shows the primary and its replicas, hides service and targets, and lists no endpoint', async () => {
    // GIVEN the primary with two replicas, and the preset's alarms all OK
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'shop-pg-prod' }).resolves({
      DBInstances: [{ DBInstanceIdentifier: 'shop-pg-prod', DBInstanceStatus: 'available', Engine: 'postgres', EngineVersion: '17.5', DBInstanceClass: 'db.r6g.large', AvailabilityZone: 'eu-north-1a', Endpoint: { Address: 'shop-pg-prod.abc.eu-north-1.rds.amazonaws.com' }, ReadReplicaDBInstanceIdentifiers: ['shop-pg-replica-2-prod', 'shop-pg-replica-1-prod'] }],
    });
    rds.on(DescribeDBInstancesCommand, { Filters: [{ Name: 'db-instance-id', Values: ['shop-pg-replica-2-prod', 'shop-pg-replica-1-prod'] }] }).resolves({
      DBInstances: [
        { DBInstanceIdentifier: 'shop-pg-replica-2-prod', DBInstanceStatus: 'available', DBInstanceClass: 'db.r6g.large', AvailabilityZone: 'eu-north-1c' },
        { DBInstanceIdentifier: 'shop-pg-replica-1-prod', DBInstanceStatus: 'backing-up', DBInstanceClass: 'db.r6g.large', AvailabilityZone: 'eu-north-1b' },
      ],
    });
    const names = Object.values(presetAlarmNames(env));
    cloudWatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: names.map((AlarmName) => ({ AlarmName, StateValue: 'OK' })) });

    // WHEN status reads the sections
    const s = await readSections(context(env, { DatabaseInstanceId: 'shop-pg-prod' }), { probe: false });

    // THEN
    expect(s.service).toEqual({ state: 'absent', reason: 'not part of the rds-postgres preset' });
    expect(s.targets).toEqual({ state: 'absent', reason: 'not part of the rds-postgres preset' });
    expect(s.endpoints).toEqual([]);
    expect(s.database).toMatchObject({
      state: 'ok',
      data: {
        cluster: 'shop-pg-prod',
        engine: 'postgres',
        engineVersion: '17.5',
        capacity: null,
        instances: [
          { id: 'shop-pg-prod', role: 'writer', status: 'available', instanceClass: 'db.r6g.large in eu-north-1a' },
          { id: 'shop-pg-replica-1-prod', role: 'reader', status: 'backing-up' },
          { id: 'shop-pg-replica-2-prod', role: 'reader', status: 'available' },
        ],
      },
    });
    // 3 alarms per instance and one lag alarm per replica, all found.
    expect(s.alarms).toMatchObject({ state: 'ok', data: { total: 11, missing: [] } });
    expect(cloudWatch.commandCalls(DescribeAlarmsCommand)[0].args[0].input.AlarmNames).toContain('shop-prod-pg-replica-2-lag');

    // AND the human view says what the preset lacks instead of reporting it missing
    const text = render({ ...s, stack: { name: 'TapStack-shop-prod', id: 'arn', status: 'UPDATE_COMPLETE', statusReason: null, createdAt: null, lastUpdatedAt: null, terminationProtection: true, operationInProgress: false } });
    expect(text).toMatch(/^Endpoints\n  – none: this preset has no load balancer, CDN or API$/m);
    expect(text).toMatch(/^Service\n  – not part of the rds-postgres preset$/m);
    expect(text).toMatch(/^Targets\n  – not part of the rds-postgres preset$/m);
    expect(text).toMatch(/primary\s+shop-pg-prod/);
    expect(text).toMatch(/reader\s+shop-pg-replica-1-prod · backing-up · db.r6g.large in eu-north-1b/);
    expect(text).toMatch(/✔ stable\s+no stack operation in progress$/m);
  });
});

/** The plain-text view of a status document (no colour). */
function render(parts: Omit<StatusDocument, 'schemaVersion' | 'ok' | 'generatedAt' | 'environment' | 'identity' | 'summary' | 'outputs'>): string {
  let text = '';
  const sink = new Writable({ write: (chunk, _e, cb) => ((text += chunk.toString()), cb()) });
  const io = new IoHost({ stdout: sink, stderr: sink, json: false, verbose: false, color: false, env: {} });
  const doc: StatusDocument = {
    schemaVersion: SCHEMA_VERSION,
    ok: true,
    generatedAt: new Date().toISOString(),
    environment: { name: 'prod', project: 'shop', account: '222222222222', region: 'eu-north-1', stackName: 'TapStack-shop-prod' },
    identity: { account: '222222222222', arn: 'arn:aws:iam::222222222222:user/ops' },
    summary: { state: 'stable', reasons: [] },
    outputs: {},
    ...parts,
  };
  text = renderStatus(io.style, doc, { outputs: false });
  return text;
}

describe('status of a catalog-api environment', () => {
  it('lists the CloudFront and load balancer endpoints, no API, and expects its six alarms', async () => {
    const env = presetEnv('catalog-api', 'dev');
    cloudWatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [] });
    rds.rejects(Object.assign(new Error('not found'), { name: 'DBClusterNotFoundFault' }));
    ecs.on(DescribeServicesCommand).resolves({ services: [] }).on(ListTasksCommand).resolves({ taskArns: [] });
    elb.on(DescribeTargetGroupsCommand).resolves({ TargetGroups: [] });
    const outputs = { CloudFrontURL: 'https://d1.cloudfront.net', ALBDNSName: 'catalog-api-alb-dev-1.eu-north-1.elb.amazonaws.com', APIGatewayURL: 'https://leftover' };
    const s = await readSections(context(env, outputs), { probe: false });
    // The service and its targets are read (not yet created here), by the catalog's names.
    expect(s.service).toEqual({ state: 'absent', reason: 'service catalog-api-service-dev not found in cluster catalog-api-cluster-dev' });
    expect(s.targets).toEqual({ state: 'absent', reason: 'target group catalog-api-tg-dev not found' });
    expect(s.endpoints.map((e) => [e.name, e.url])).toEqual([
      ['site', 'https://d1.cloudfront.net'],
      ['alb', 'http://catalog-api-alb-dev-1.eu-north-1.elb.amazonaws.com'],
    ]);
    expect(s.alarms).toMatchObject({ state: 'ok', data: { total: 0 } });
    if (s.alarms.state === 'ok') {
      expect([...s.alarms.data.missing].sort()).toEqual(
        ['alb-5xx-errors', 'alb-unhealthy-targets', 'db-high-connections', 'db-high-cpu', 'ecs-high-cpu', 'ecs-high-memory'].map((k) => `catalog-api-dev-${k}`),
      );
    }
    expect(s.database).toMatchObject({ state: 'absent', reason: 'database cluster catalog-api-db-dev not found' });
  });
});
