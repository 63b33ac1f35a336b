import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CfnResource } from 'aws-cdk-lib';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../../src/infra/app.js';
import { validationFindings } from '../../src/infra/validation.js';
import { resolvedEnv } from './fixtures.js';

describe('builtin CloudFormation validation', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'tapctl-validate-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  // The only test that pays for the validator (~4 s to boot its WebAssembly engine); a second synth in the
  // same process is cheap, so it also proves that the check can fail.
  it('passes the production template silently, and fails a broken one with the finding', () => {
    const stderr = vi.spyOn(console, 'error');
    // GIVEN the production stack with every optional part on (its web ACL, a domain with api.<name>)
    const env = resolvedEnv('prod', {
      api: { loggingLevel: 'INFO' },
      container: { image: { tag: 'v1' } },
      domain: { name: 'shop.example.com', hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com', api: true },
    });
    // WHEN it is synthesized with validation
    const { app } = buildApp(env, { validate: true });
    const assembly = app.synth();
    // THEN there is no finding at all, and nothing was printed
    expect(validationFindings(assembly.directory)).toEqual([]);

    // GIVEN a template with a property CloudFormation does not know
    const broken = buildApp(env, { validate: true, outdir });
    (broken.stack.encryption.key.node.defaultChild as CfnResource).addPropertyOverride('NoSuchProperty', 1);
    // WHEN / THEN synth fails, and the report names the error and its construct
    expect(() => broken.app.synth()).toThrow(/NoSuchProperty/);
    expect(validationFindings(outdir)).toEqual([
      expect.objectContaining({ severity: 'error', constructPaths: [`${env.names.stack}/Encryption/MasterKey/Resource`] }),
    ]);
    expect(stderr).not.toHaveBeenCalled();
    stderr.mockRestore();
  });

  it('reports nothing when validation is off', () => {
    const { app } = buildApp(resolvedEnv('dev'));
    expect(validationFindings(app.synth().directory)).toEqual([]);
  });
});
