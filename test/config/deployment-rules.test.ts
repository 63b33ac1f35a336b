/**
 * The deployment strategy (config `deployment:`): the plan each config resolves to (src/config/deployment.ts),
 * the defaults by kind, and what validate refuses or warns about (rules DP1-DP8), each at the key to edit.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { computedDeploymentMinutes, deploymentOf, waitingSteps } from '../../src/config/deployment.js';
import { loadConfig } from '../../src/config/load.js';
import { sampleConfig, tempProject, type TempProject } from '../helpers/project.js';

let project: TempProject | undefined;
afterEach(() => project?.cleanup());

function load(config: Record<string, unknown>) {
  project = tempProject(config);
  return loadConfig(project.configPath);
}

/** One environment `name` (prod: production; dev: development) with `settings`. */
function one(name: 'prod' | 'dev', settings: Record<string, unknown>, preset = 'ecommerce', extra: Record<string, unknown> = {}) {
  const account = name === 'prod' ? '222222222222' : '111111111111';
  return load(sampleConfig({ preset, environments: { [name]: { account, region: 'us-east-1', ...settings } }, ...extra }));
}

const rules = (loaded: ReturnType<typeof load>, prefix = 'DP') =>
  [...loaded.errors, ...loaded.warnings].filter((i) => i.rule.startsWith(prefix)).map((i) => `${i.severity} ${i.rule} ${i.path}: ${i.message}`);

describe('the deployment plan', () => {
  it('defaults to canary in production (5% for 10 minutes, bake 10 minutes, the 5XX and latency alarms) and rolling elsewhere', () => {
    const loaded = load(sampleConfig());
    expect(loaded.errors).toEqual([]);
    const [dev, staging, prod] = ['dev', 'staging', 'prod'].map((n) => deploymentOf(loaded.environments.find((e) => e.name === n)!)!);
    expect(dev).toEqual({ strategy: 'rolling', bakeMinutes: 0, alarms: [], alternateTargetGroup: false });
    expect(staging.strategy).toBe('rolling');
    expect(prod).toEqual({
      strategy: 'canary',
      bakeMinutes: 10,
      canary: { percent: 5, waitMinutes: 10 },
      alarms: [
        { key: 'alb-5xx-errors', name: 'shop-prod-alb-5xx-errors' },
        { key: 'api-5xx-errors', name: 'shop-prod-api-5xx-errors' },
        { key: 'api-high-latency', name: 'shop-prod-api-high-latency' },
      ],
      alternateTargetGroup: true,
    });
  });

  it('catalog-api rolls back on its 5XX alarm (it has no latency alarm); rds-postgres has no plan (no service)', () => {
    const catalog = one('prod', {}, 'catalog-api');
    expect(catalog.errors).toEqual([]);
    expect(deploymentOf(catalog.environments[0]!)?.alarms).toEqual([{ key: 'alb-5xx-errors', name: 'shop-prod-alb-5xx-errors' }]);
    const postgres = one('prod', {}, 'rds-postgres');
    expect(deploymentOf(postgres.environments[0]!)).toBeUndefined();
    expect(rules(postgres)).toEqual([]);
  });

  it('takes the config: linear 20% every 3 minutes, bake 1h, rolled back by the alarms it names', () => {
    const loaded = one('dev', { deployment: { strategy: 'linear', bake: '1h', linear: { percent: 20, interval: '3m' }, alarms: ['alb-5xx-errors', 'alb-unhealthy-targets'] } });
    expect(loaded.errors).toEqual([]);
    const plan = deploymentOf(loaded.environments[0]!)!;
    expect(plan).toMatchObject({ strategy: 'linear', bakeMinutes: 60, linear: { percent: 20, intervalMinutes: 3 }, alternateTargetGroup: true });
    expect(plan.alarms.map((a) => a.key)).toEqual(['alb-5xx-errors', 'alb-unhealthy-targets']);
    // 20% steps: 4 waits between 5 shifts (CloudFormation's count), then the bake.
    expect(waitingSteps(plan)).toBe(4);
    expect(computedDeploymentMinutes(plan)).toBe(60 + 4 * 3);
  });

  it('counts linear steps as CloudFormation does: 100/p - 1 when p divides 100, floor(100/p) otherwise', () => {
    const steps = (percent: number) => waitingSteps({ strategy: 'linear', linear: { percent, intervalMinutes: 1 } });
    expect([steps(10), steps(11), steps(3), steps(3.3), steps(12.5), steps(100)]).toEqual([9, 9, 33, 30, 7, 0]);
  });
});

describe('deployment rules', () => {
  it('DP1: a canary percent ECS refuses (bounds, steps of 0.1), naming the AWS page', () => {
    for (const percent of [0, 0.05, 100.5, 12.34]) {
      const loaded = one('prod', { deployment: { canary: { percent } } });
      const dp1 = loaded.errors.find((e) => e.rule === 'DP1');
      expect(dp1?.path, String(percent)).toBe('environments.prod.deployment.canary.percent');
      expect(dp1?.message).toMatch(/ECS takes 0.1 to 100 in steps of 0.1 \(https:\/\/docs.aws.amazon.com\/AmazonECS\/latest\/APIReference\/API_CanaryConfiguration.html\)/);
    }
    expect(one('prod', { deployment: { canary: { percent: 0.1 } } }).errors).toEqual([]);
  });

  it('DP2: a linear percent under 3', () => {
    const loaded = one('dev', { deployment: { strategy: 'linear', linear: { percent: 2.5 } } });
    expect(rules(loaded)).toEqual([expect.stringMatching(/^error DP2 environments.dev.deployment.linear.percent: deployment.linear.percent 2.5 is outside 3 to 100: ECS takes 3 to 100 .*API_LinearConfiguration/)]);
  });

  it('DP3: a bake or wait over 24 hours; a wait in a form ECS cannot count is a schema error', () => {
    const loaded = one('prod', { deployment: { bake: '25h', canary: { wait: '1441m' } } });
    expect(rules(loaded)).toEqual([
      expect.stringMatching(/^error DP3 environments.prod.deployment.bake: deployment.bake 25h is 1500 minutes: ECS takes 0 to 1440/),
      expect.stringMatching(/^error DP3 environments.prod.deployment.canary.wait: deployment.canary.wait 1441m is 1441 minutes/),
    ]);
    const seconds = one('prod', { deployment: { bake: '90s' } });
    expect(seconds.errors.map((e) => `${e.path}: ${e.message}`)).toEqual([expect.stringMatching(/^environments.prod.deployment.bake: expected whole minutes or hours, e.g. 10m or 1h/)]);
  });

  it('DP4: a linear deployment CloudFormation would refuse as longer than 33 hours', () => {
    const loaded = one('dev', { deployment: { strategy: 'linear', bake: '24h', linear: { percent: 3, interval: '20m' } } });
    expect(rules(loaded)).toEqual([expect.stringMatching(/^error DP4 environments.dev.deployment.linear.interval: a linear deployment of 'dev' would take 2100 minutes \(bake 1440m \+ 33 steps x 20m\): CloudFormation refuses more than 33 hours/)]);
    expect(one('dev', { deployment: { strategy: 'linear', bake: '24h', linear: { percent: 3, interval: '10m' } } }).errors).toEqual([]);
  });

  it('DP5: settings of another strategy are ignored, and say so', () => {
    const loaded = one('dev', { deployment: { bake: '5m', canary: { percent: 10 }, linear: { percent: 10 } } });
    expect(rules(loaded)).toEqual([
      'warning DP5 environments.dev.deployment.bake: deployment.bake does not apply to the rolling strategy of \'dev\' and is ignored',
      'warning DP5 environments.dev.deployment.canary: deployment.canary does not apply to the rolling strategy of \'dev\' and is ignored',
      'warning DP5 environments.dev.deployment.linear: deployment.linear does not apply to the rolling strategy of \'dev\' and is ignored',
    ]);
  });

  it('DP6: canary on a preset without a service is an error; DP9 (its own ID): on an emulated environment a warning', () => {
    const postgres = one('prod', { deployment: { strategy: 'canary' } }, 'rds-postgres');
    expect(rules(postgres)).toEqual([expect.stringMatching(/^error DP6 environments.prod.deployment.strategy: deployment.strategy canary needs an ECS service behind a load balancer, and the rds-postgres preset runs none/)]);
    const emulated = one('dev', { endpoint: 'http://127.0.0.1:5000', deployment: { strategy: 'blue-green' } });
    expect(rules(emulated)).toEqual([expect.stringMatching(/^warning DP9 environments.dev.deployment.strategy: 'dev' is emulated/)]);
  });

  it('DP10: a canary wait or linear interval shorter than the rollback alarms need to fire warns, naming them (qa5 P2 #4)', () => {
    const short = one('prod', { deployment: { strategy: 'canary', canary: { wait: '2m' } } });
    expect(rules(short)).toEqual([
      "warning DP10 environments.prod.deployment.canary.wait: the canary wait of 'prod' (2m) is shorter than alb-5xx-errors, api-5xx-errors, api-high-latency need to reach ALARM (about 3m): a bad release gets the next share of traffic before they can roll it back",
    ]);
    // An alarm with 5-minute periods needs longer; the default canary (10m) is enough for the sized ones.
    expect(rules(one('prod', { deployment: { strategy: 'linear', linear: { interval: '6m' }, alarms: ['ecs-high-cpu'] } }))).toEqual([expect.stringMatching(/^warning DP10 environments.prod.deployment.linear.interval: the linear interval of 'prod' \(6m\) is shorter than ecs-high-cpu needs to reach ALARM \(about 10m\)/)]);
    expect(rules(one('prod', {}))).toEqual([]);
  });

  it('DP4 counts one linear step as "1 step" (qa5 P3)', () => {
    const loaded = one('dev', { deployment: { strategy: 'linear', bake: '24h', linear: { percent: 50, interval: '24h' } } });
    expect(rules(loaded)).toEqual([expect.stringMatching(/\(bake 1440m \+ 1 step x 1440m\)/)]);
  });

  it('DP5 warns for an environment\'s own settings only: defaults.deployment.linear serves the environments that use it (qa5 P3)', () => {
    const loaded = one('prod', { deployment: { strategy: 'blue-green' } }, 'ecommerce', { defaults: { deployment: { linear: { percent: 20 } } } });
    expect(rules(loaded)).toEqual([]);
  });

  it('durations: a bare number asks for a unit (not quotes); a 6-digit one is DP3 naming the bound (qa5 P3)', () => {
    const bare = one('prod', { deployment: { strategy: 'canary', bake: 90 } });
    expect(bare.errors.map((e) => e.message)).toEqual(['expected a duration, got the number 90: write 90m (minutes) or, for whole hours, e.g. 2h']);
    const big = one('prod', { deployment: { strategy: 'canary', bake: '100000m' } });
    expect(rules(big)).toEqual([expect.stringMatching(/^error DP3 environments.prod.deployment.bake: deployment.bake 100000m is 100000 minutes: ECS takes 0 to 1440 \(24 hours\)/)]);
  });

  it('DP7: an alarm the stack does not create (catalog-api has no API alarms), listing the keys it has', () => {
    const loaded = one('prod', { deployment: { alarms: ['alb-5xx-errors', 'api-5xx-errors'] } }, 'catalog-api');
    const dp7 = loaded.errors.find((e) => e.rule === 'DP7');
    expect(dp7?.message).toBe("deployment.alarms names 'api-5xx-errors', which the catalog-api stack does not create");
    expect(dp7?.hint).toBe('use keys of its alarms: ecs-high-cpu, ecs-high-memory, alb-unhealthy-targets, alb-5xx-errors, db-high-cpu, db-high-connections');
  });

  it('DP8: a gradual deployment that no alarm rolls back warns; rolling with alarms is fine', () => {
    expect(rules(one('prod', { deployment: { alarms: [] } }))).toEqual([expect.stringMatching(/^warning DP8 environments.prod.deployment.alarms: the canary deployments of 'prod' watch no alarm/)]);
    expect(rules(one('dev', { deployment: { alarms: ['alb-5xx-errors'] } }))).toEqual([]);
  });

  it('N4: the second target group is checked only when the stack has one, and is never longer than the load balancer\'s name', () => {
    // <p>-tg2-<s> has the length of <p>-alb-<s>, the tightest name already: a gradual strategy never makes a
    // suffix too long that was not too long before.
    const fits = one('dev', { suffix: 'a'.repeat(23), deployment: { strategy: 'canary' } });
    expect(fits.errors).toEqual([]);
    const env = fits.environments[0]!;
    expect(env.names.alternateTargetGroup).toBe(`shop-tg2-${'a'.repeat(23)}`);
    expect(env.names.alternateTargetGroup.length).toBe(env.names.loadBalancer.length);

    const n4 = (loaded: ReturnType<typeof load>) => loaded.errors.filter((e) => e.rule === 'N4').map((e) => e.message);
    const long = 'a'.repeat(24);
    expect(n4(one('dev', { suffix: long }))).toEqual([`load balancer name 'shop-alb-${long}' is 33 characters; AWS allows at most 32`]);
    expect(n4(one('dev', { suffix: long, deployment: { strategy: 'canary' } }))).toEqual([
      `load balancer name 'shop-alb-${long}' is 33 characters; AWS allows at most 32`,
      `target group name 'shop-tg2-${long}' is 33 characters; AWS allows at most 32`,
    ]);
  });
});
