import { Aspects } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/infra/app.js';
import { resolvedEnv, type EnvName } from './fixtures.js';

/** The unsuppressed AwsSolutions errors of an environment's stack, as `path: message` lines. */
function nagErrors(name: EnvName, overrides: Record<string, unknown> = {}): string[] {
  const { app, stack } = buildApp(resolvedEnv(name, overrides));
  Aspects.of(app).add(new AwsSolutionsChecks());
  app.synth();
  return Annotations.fromStack(stack)
    .findError('*', Match.stringLikeRegexp('AwsSolutions-.*'))
    .map((e) => `${e.id}: ${String(e.entry.data).split(':')[0]}`);
}

describe('cdk-nag AwsSolutions', () => {
  it.each([
    ['prod', {}],
    ['dev', {}],
    // the other engine and API logging switch suppressions on and off
    ['dev', { database: { engine: 'aurora-mysql' }, api: { loggingLevel: 'INFO' } }],
    // app secrets by partial ARN (no deploy inputs) and ECS Exec switch their suppressions on
    ['prod', { container: { secrets: ['STRIPE_KEY', 'SMTP_PASSWORD'], exec: true } }],
  ] as const)('%s %o has no unsuppressed errors', (name, overrides) => {
    expect(nagErrors(name, overrides)).toEqual([]);
  });
});
