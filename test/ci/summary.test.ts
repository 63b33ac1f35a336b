/**
 * `tapctl ci summary <file>`: the Markdown a pipeline appends to $GITHUB_STEP_SUMMARY (or keeps as a GitLab
 * artifact), made from the result line of a tapctl --json run.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { summarize } from '../../src/ci/summary.js';
import { runTapctl } from '../helpers/cli.js';
import { tempProject, type TempProject } from '../helpers/project.js';

const diffResult = {
  type: 'result', ok: true, command: 'diff', environment: 'dev', stack: 'TapStack-shop-dev', deployed: true, method: 'change-set',
  changes: { adds: 1, modifications: 0, replacements: 0, removals: 0, permissionChange: 'none', destructive: [], changes: [{ kind: 'add', logicalId: 'ServiceQueue', type: 'AWS::SQS::Queue', destroysData: false }] },
};

describe('ci summary', () => {
  it('a diff: its title and the same rendering as on a terminal, in a fenced block', () => {
    const out = summarize(`${JSON.stringify({ type: 'check', name: 'account', status: 'pass' })}\n${JSON.stringify(diffResult)}\n`);
    expect(out.source).toEqual({ command: 'diff', ok: true, environment: 'dev' });
    expect(out.markdown).toMatch(/^### ✔ tapctl diff dev\n\n```text\nTapStack-shop-dev: /);
    expect(out.markdown).toContain('ServiceQueue');
  });

  it("a sweep: env sweep's own rendering", () => {
    const sweep = { type: 'result', ok: true, command: 'env sweep', dryRun: false, deleted: [], failed: [], refused: [], inProgress: [], kept: [], accounts: [] };
    const out = summarize(JSON.stringify(sweep));
    expect(out.markdown).toMatch(/^### ✔ tapctl env sweep\n\n```text\n/);
    expect(out.markdown).not.toContain('env sweep succeeded');
  });

  it('a failure: the message, the exit code and the hint', () => {
    const failed = { type: 'result', ok: false, command: 'deploy', error: { code: 'refused', exitCode: 3, message: "refusing to replace Database: it holds data", hint: 'deploy with --allow-replace Database' } };
    const out = summarize(JSON.stringify(failed));
    expect(out.source).toEqual({ command: 'deploy', ok: false });
    expect(out.markdown).toContain('### ✖ tapctl deploy failed (exit 3)');
    expect(out.markdown).toContain('refusing to replace Database: it holds data');
    expect(out.markdown).toContain('hint: deploy with --allow-replace Database');
  });

  it('a run killed before its result line is said as such, not guessed', () => {
    const out = summarize(`${JSON.stringify({ type: 'progress', completed: 3 })}\nnot json\n`);
    expect(out.source).toBeUndefined();
    expect(out.markdown).toContain('tapctl wrote no result');
  });

  it('backticks in a message cannot close the fence early', () => {
    const out = summarize(JSON.stringify({ type: 'result', ok: false, command: 'diff', error: { code: 'x', exitCode: 1, message: 'a ``` b' } }));
    expect(out.markdown).toContain('````text\na ``` b\n````');
  });

  it('terminal escapes and control characters never reach the Markdown', () => {
    const failed = { type: 'result', ok: false, command: 'deploy', environment: 'dev', error: { code: 'x', exitCode: 1, message: 'red \u001b[31mfailed\u001b[0m \u001b]8;;http://evil\u0007link\u001b]8;;\u0007 bell\u0007', hint: '\u001b[1mbold\u001b[22m hint' } };
    const out = summarize(JSON.stringify(failed));
    expect(out.markdown).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    expect(out.markdown).toContain('red failed link bell');
    expect(out.markdown).toContain('hint: bold hint');
    const ok = summarize(JSON.stringify({ ...diffResult, stack: 'TapStack-\u001b[32mshop\u001b[0m-dev' }));
    expect(ok.markdown).toContain('TapStack-shop-dev');
    expect(ok.markdown).not.toContain('\u001b');
  });

  it('the heading: HTML and Markdown in a command or environment name are shown as text', () => {
    const out = summarize(JSON.stringify({ ...diffResult, environment: '<b>x</b> *y* [z](http://e)' }));
    const title = out.markdown.split('\n')[0];
    expect(title).toBe('### ✔ tapctl diff &lt;b&gt;x&lt;/b&gt; \\*y\\* \\[z\\]\\(http://e\\)');
    expect(title).not.toContain('<b>');
  });

  it('two result lines (two runs in one file): the last one, and the summary says so', () => {
    const first = { ...diffResult, environment: 'dev' };
    const second = { ...diffResult, environment: 'staging' };
    const out = summarize(`${JSON.stringify(first)}\n${JSON.stringify(second)}\n`);
    expect(out.resultLines).toBe(2);
    expect(out.source?.environment).toBe('staging');
    expect(out.markdown).toMatch(/^> ⚠ this file holds 2 result lines \(several runs written to one file\): this is the last one\./);
    expect(summarize(JSON.stringify(first)).resultLines).toBeUndefined();
  });

  it('a result line without the fields its rendering needs is said as such, never "undefined"', () => {
    const out = summarize(JSON.stringify({ type: 'result', ok: true, command: 'diff' }));
    expect(out.markdown).toContain('diff succeeded, but its result line lacks stack, deployed');
    expect(out.markdown).not.toContain('undefined');
    const deploy = summarize(JSON.stringify({ type: 'result', ok: true, command: 'deploy', environment: 'dev' }));
    expect(deploy.markdown).toContain('lacks stack, status');
  });

  it('push-image (the release step of a deploy job): its own rendering', () => {
    const out = summarize(JSON.stringify({ type: 'result', ok: true, command: 'push-image', environment: 'dev', repositoryUri: '111111111111.dkr.ecr.us-east-1.amazonaws.com/shop-app-dev', tag: 'abc1234', tags: ['abc1234'], digest: 'sha256:0123', platform: 'linux/amd64', builder: 'docker', dryRun: false }));
    expect(out.markdown).toContain('✔ pushed 111111111111.dkr.ecr.us-east-1.amazonaws.com/shop-app-dev:abc1234');
    expect(out.markdown).toContain('sha256:0123');
  });

  let p: TempProject | undefined;
  afterEach(() => p?.cleanup());
  it('the command: Markdown on stdout; no file is exit 2; an unreadable one too', async () => {
    p = tempProject();
    writeFileSync(join(p.dir, 'diff.ndjson'), `${JSON.stringify(diffResult)}\n`);
    const r = await runTapctl(['ci', 'summary', 'diff.ndjson'], { cwd: p.dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^### ✔ tapctl diff dev/);
    const missing = await runTapctl(['ci', 'summary'], { cwd: p.dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('ci summary needs the file a tapctl command wrote with --json');
    const unreadable = await runTapctl(['ci', 'summary', 'nope.ndjson', '--json'], { cwd: p.dir });
    expect(unreadable.code).toBe(2);
    expect(JSON.parse(unreadable.stdout.trim())).toMatchObject({ ok: false, command: 'ci summary', error: { message: expect.stringContaining('ENOENT') } });
  });
});
