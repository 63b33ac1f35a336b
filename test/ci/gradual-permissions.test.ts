/**
 * The CI roles allow every AWS call of the gradual deploy / diff / rollback path (qa5 P1 #1). The calls are read
 * from the source files of that path (every `new <sdk>.<X>Command(` and the package its `loadSdk` names), so a call
 * added there without its permission fails here. Each call is checked against the role's statements for the
 * resource tapctl would name (a table below: a call missing from it fails too, saying to add it).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { environmentScope, roleStatements, type StatementSpec } from '../../src/ci/permissions.js';
import { resolvedEnv } from '../infra/fixtures.js';

const GRADUAL_PATH = ['src/aws/traffic.ts', 'src/aws/service-deployment.ts', 'src/deploy/traffic-repair.ts', 'src/deploy/traffic-checks.ts', 'src/deploy/service-rollout.ts'];
const IAM_PREFIX: Record<string, string> = { '@aws-sdk/client-ecs': 'ecs', '@aws-sdk/client-elastic-load-balancing-v2': 'elasticloadbalancing', '@aws-sdk/client-cloudwatch': 'cloudwatch' };

/** `ecs:DescribeServices`, ... : every SDK command the files construct, with the IAM prefix of its package. */
function callsOf(files: readonly string[]): string[] {
  const out = new Set<string>();
  for (const file of files) {
    const text = readFileSync(join(process.cwd(), file), 'utf8');
    const pkgOf = new Map<string, string>();
    for (const m of text.matchAll(/const (\w+) = await loadSdk\('([^']+)'\)/g)) pkgOf.set(m[1]!, m[2]!);
    // A variable name reused in several functions (sdk) maps to the last package seen before the call.
    for (const m of text.matchAll(/new (\w+)\.(\w+)Command\(/g)) {
      const before = text.slice(0, m.index);
      const decl = [...before.matchAll(new RegExp(`const ${m[1]} = await loadSdk\\('([^']+)'\\)`, 'g'))].at(-1)?.[1] ?? pkgOf.get(m[1]!);
      const prefix = IAM_PREFIX[decl ?? ''];
      if (!prefix) throw new Error(`${file}: ${m[0]} from ${decl}: add its package to IAM_PREFIX`);
      out.add(`${prefix}:${m[2]}`);
    }
  }
  return [...out].sort();
}

const env = resolvedEnv('prod'); // production: canary by default
const n = env.names;
const A = `${env.account}`;
/** The resource each call names for this environment (the IAM resource type of the action). */
const RESOURCE: Record<string, string> = {
  'ecs:DescribeServices': `arn:aws:ecs:us-east-1:${A}:service/${n.ecsCluster}/${n.ecsService}`,
  'ecs:ListServiceDeployments': `arn:aws:ecs:us-east-1:${A}:service/${n.ecsCluster}/${n.ecsService}`,
  'ecs:DescribeServiceDeployments': `arn:aws:ecs:us-east-1:${A}:service-deployment/${n.ecsCluster}/${n.ecsService}/AbCdEf`,
  'elasticloadbalancing:DescribeRules': '*',
  'elasticloadbalancing:DescribeTargetHealth': '*',
  'elasticloadbalancing:ModifyRule': `arn:aws:elasticloadbalancing:us-east-1:${A}:listener-rule/app/${n.loadBalancer}/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee`,
  'cloudwatch:DescribeAlarms': `arn:aws:cloudwatch:us-east-1:${A}:alarm:${n.alarms['alb-5xx-errors']}`,
};
/** Calls that change something: the deploy role only. */
const WRITES = new Set(['elasticloadbalancing:ModifyRule']);

const glob = (pattern: string, value: string) => new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(value);
function allows(statements: readonly StatementSpec[], action: string, resource: string): boolean {
  return statements.some((s) => s.actions.some((a) => glob(a, action)) && s.resources.some((r) => glob(r, resource)));
}

describe('the CI roles and the gradual rollout path', () => {
  const calls = callsOf(GRADUAL_PATH);

  it('finds the calls of the path in its source (the list is derived, not written by hand)', () => {
    expect(calls).toEqual(expect.arrayContaining(['cloudwatch:DescribeAlarms', 'ecs:DescribeServiceDeployments', 'ecs:ListServiceDeployments', 'elasticloadbalancing:DescribeRules', 'elasticloadbalancing:ModifyRule']));
  });

  it.each(['deploy', 'preview'] as const)('the %s role may make every call of the path, on this environment\'s resources', (kind) => {
    const statements = roleStatements(kind, environmentScope(env));
    for (const call of calls) {
      expect(RESOURCE[call], `${call}: add the resource it names to RESOURCE`).toBeDefined();
      expect(allows(statements, call, RESOURCE[call]!), `${kind} role may not ${call} on ${RESOURCE[call]}`).toBe(true);
    }
  });

  it('the plan role (diff) may make every read of the path and no write', () => {
    const statements = roleStatements('plan', environmentScope(env));
    for (const call of calls.filter((c) => !WRITES.has(c))) expect(allows(statements, call, RESOURCE[call]!), `plan role may not ${call}`).toBe(true);
    for (const call of WRITES) expect(allows(statements, call, RESOURCE[call]!), `plan role may ${call}`).toBe(false);
  });

  it('scopes what the API lets it scope: the alarms and the rule of this environment only', () => {
    const statements = roleStatements('deploy', environmentScope(env));
    expect(allows(statements, 'cloudwatch:DescribeAlarms', `arn:aws:cloudwatch:us-east-1:${A}:alarm:someone-elses-alarm`)).toBe(false);
    expect(allows(statements, 'elasticloadbalancing:ModifyRule', `arn:aws:elasticloadbalancing:us-east-1:${A}:listener-rule/app/other-alb/1/2/3`)).toBe(false);
    expect(allows(statements, 'ecs:DescribeServiceDeployments', `arn:aws:ecs:us-east-1:${A}:service-deployment/${n.ecsCluster}/other-service/x`)).toBe(false);
  });

  it('a rolling environment gets no write on the rule (it has no second target group)', () => {
    const rolling = resolvedEnv('dev');
    expect(roleStatements('deploy', environmentScope(rolling)).some((s) => s.actions.includes('elasticloadbalancing:ModifyRule'))).toBe(false);
  });
});
