/** Usage lines show the options a command needs, in --help and in the command list. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runTapctl } from '../helpers/cli.js';

const cwd = mkdtempSync(join(tmpdir(), 'tapctl-usage-'));

describe('usage lines', () => {
  it.each(['config', 'diff', 'deploy', 'status', 'push-image'])('%s --help: Usage: tapctl %s --env <name> [options]', async (verb) => {
    const r = await runTapctl([verb, '--help'], { cwd });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Usage: tapctl ${verb} --env <name> \\[options\\]$`, 'm'));
  });

  it('bootstrap names its CI form in its usage', async () => {
    const r = await runTapctl(['bootstrap', '--help'], { cwd });
    expect(r.stdout).toMatch(/^Usage: tapctl bootstrap --env <name> \[--ci github --repo <owner\/name> \| --ci gitlab --project <group\/name>\] \[options\]$/m);
  });

  it('synth takes --env <name> or --all', async () => {
    const r = await runTapctl(['synth', '--help'], { cwd });
    expect(r.stdout).toMatch(/^Usage: tapctl synth --env <name> \| --all \[options\]$/m);
  });

  it('destroy names --allow-production in its usage, and hides the refused --force', async () => {
    const r = await runTapctl(['destroy', '--help'], { cwd });
    expect(r.stdout).toMatch(/^Usage: tapctl destroy --env <name> \[--allow-production\] \[options\]$/m);
    expect(r.stdout).not.toMatch(/--force/);
  });

  it('the command list shows each usage', async () => {
    const r = await runTapctl(['--help'], { cwd });
    expect(r.stdout).toMatch(/^ {2}deploy --env <name> \[options\]/m);
    expect(r.stdout).toMatch(/^ {2}validate \[--env <name>\] \[options\]/m);
  });
});
