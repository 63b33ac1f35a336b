/**
 * Every temporary folder the suite makes (CDK's own cdk.out* for Template.fromStack, fixture projects, spawned
 * runs) goes under one TMPDIR that is removed when the run ends, so repeated runs leave nothing in /tmp.
 */
import { rmSync } from 'node:fs';

export default function setup(): () => void {
  return () => {
    const dir = process.env.TAPCTL_TEST_TMPDIR;
    if (dir) rmSync(dir, { recursive: true, force: true });
  };
}
