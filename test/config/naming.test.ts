import { describe, expect, it } from 'vitest';
import { checkNames, physicalNames, sanitizeSuffix } from '../../src/config/naming.js';

describe('sanitizeSuffix (tapstack.md §1.2)', () => {
  it.each([
    ['Dev', 'dev'],
    ['feature/ABC 12', 'feature-abc-12'],
    ['--x--y--', 'x-y'],
    ['under_score', 'under_score'],
    ['!!!', 'dev'],
    ['', 'dev'],
    ['a'.repeat(60), 'a'.repeat(50)],
  ])('%j -> %j', (raw, expected) => {
    expect(sanitizeSuffix(raw)).toBe(expected);
  });
});

describe('physicalNames', () => {
  const names = physicalNames({ project: 'shop', suffix: 'dev', account: '123456789012', region: 'us-east-1' });

  it('prefixes every name with the project and ends it with the sanitized suffix', () => {
    expect(names.stack).toBe('TapStack-shop-dev');
    expect(names.kmsAlias).toBe('alias/shop-master-key-dev');
    expect(names.ecrRepository).toBe('shop-app-dev');
    expect(names.staticBucket).toBe('shop-static-assets-dev-123456789012');
    expect(names.logsBucket).toBe('shop-logs-dev-123456789012');
    expect(names.rotationFunction).toBe('shop-db-rotation-dev');
    expect(names.alarms['ecs-high-cpu']).toBe('shop-dev-ecs-high-cpu');
    expect(Object.keys(names.alarms)).toHaveLength(11);
  });

  it('passes every AWS naming rule for an ordinary project', () => {
    expect(checkNames(names)).toEqual([]);
  });

  it('reports ALB and target group names over 32 characters (N4)', () => {
    const long = physicalNames({ project: 'marketplace', suffix: 'feature-checkout-v2', account: '123456789012', region: 'us-east-1' });
    const problems = checkNames(long);
    expect(problems.map((p) => p.key)).toEqual(expect.arrayContaining(['loadBalancer', 'targetGroup']));
    expect(problems.find((p) => p.key === 'loadBalancer')?.message).toMatch(/is 35 characters; AWS allows at most 32/);
  });

  it('reports underscores where the stack name, buckets and the cluster identifier refuse them (N1, N6)', () => {
    const problems = checkNames(physicalNames({ project: 'shop', suffix: 'qa_1', account: '123456789012', region: 'us-east-1' }));
    expect(problems.map((p) => p.key)).toEqual(expect.arrayContaining(['stack', 'staticBucket', 'logsBucket', 'dbCluster', 'loadBalancer']));
  });

  it('reports unresolved placeholders (N2)', () => {
    const problems = checkNames(physicalNames({ project: 'shop', suffix: '${environment_suffix}', account: '1', region: 'x' }));
    expect(problems.some((p) => p.message.includes('unresolved placeholder'))).toBe(true);
  });
});
