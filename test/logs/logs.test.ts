/**
 * `tapctl logs` against mocked AWS (aws-sdk-client-mock on the real clients): sources, --since, --filter, --task,
 * --json, the refusals, and --follow through Live Tail and its fallback to polling. Live Tail is tested here
 * only: the emulator has none.
 */
import { FilterLogEventsCommand, StartLiveTailCommand } from '@aws-sdk/client-cloudwatch-logs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cleanEnv, runTapctl } from '../helpers/cli.js';
import { sampleConfig, tempProject, type TempProject } from '../helpers/project.js';
import { APP_GROUP, awsError, FakeLogs, LAMBDA_GROUP, OTHER_TASK, ROTATION_GROUP, TASK, update, waitForAbort } from './fake-logs.js';

let project: TempProject;
let endpointProject: TempProject;
let fake: FakeLogs;
const env = (extra: NodeJS.ProcessEnv = {}) => cleanEnv({ AWS_ACCESS_KEY_ID: 'AKIDFAKE', AWS_SECRET_ACCESS_KEY: 'fake', TAPCTL_POLL_INTERVAL_MS: '1', ...extra });
const logs = (argv: string[], options: { signal?: AbortSignal; cwd?: string; extra?: NodeJS.ProcessEnv; readerGoneAfterLines?: number; readerGoneWhen?: AbortSignal } = {}) =>
  runTapctl(['logs', '--env', 'dev', ...argv], {
    cwd: options.cwd ?? project.dir,
    env: env(options.extra),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.readerGoneAfterLines !== undefined ? { readerGoneAfterLines: options.readerGoneAfterLines } : {}),
    ...(options.readerGoneWhen ? { readerGoneWhen: options.readerGoneWhen } : {}),
  });
const minutesAgo = (m: number) => Date.now() - m * 60_000;

beforeAll(() => {
  project = tempProject();
  const config = sampleConfig();
  (config.environments as Record<string, Record<string, unknown>>).dev.endpoint = 'http://127.0.0.1:9';
  endpointProject = tempProject(config);
});
afterAll(() => {
  project.cleanup();
  endpointProject.cleanup();
});
beforeEach(() => {
  fake = new FakeLogs();
});
afterEach(() => fake.restore());

describe('tapctl logs: stored events', () => {
  it("GIVEN no options THEN the service's last 10 minutes, one line per event on stdout: time, source, task, message", async () => {
    fake.add(APP_GROUP, { at: minutesAgo(30), message: 'too old' });
    fake.add(APP_GROUP, { at: minutesAgo(5), message: 'GET /health 200\n' });
    fake.add(APP_GROUP, { at: minutesAgo(2), message: 'listening on :3000', stream: `ecommerce/app/${OTHER_TASK}` });
    const r = await logs([]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(new RegExp(`^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}\\.\\d{3}  app       ${TASK}  GET /health 200$`));
    expect(lines[1]).toContain(`app       ${OTHER_TASK}  listening on :3000`);
    expect(r.stderr).toContain(`reading log group ${APP_GROUP} since`);
    expect(r.stderr).toContain('2 log events');
    const call = fake.logs.commandCalls(FilterLogEventsCommand)[0].args[0].input;
    expect(call.logGroupName).toBe(APP_GROUP);
    expect(Math.abs(call.startTime! - minutesAgo(10))).toBeLessThan(60_000);
    expect(fake.logs.commandCalls(StartLiveTailCommand)).toHaveLength(0);
  });

  it('GIVEN --source all THEN every source in time order, and a log group that does not exist yet is said once', async () => {
    fake.add(APP_GROUP, { at: minutesAgo(3), message: 'app first' });
    fake.add(LAMBDA_GROUP, { at: minutesAgo(2), message: 'lambda second', stream: '2026/11/29/[$LATEST]0123abcd4567ef' });
    fake.add(APP_GROUP, { at: minutesAgo(1), message: 'app third' });
    const r = await logs(['--source', 'all']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trimEnd().split('\n').map((l) => l.split(/ {2,}/).slice(1).join('|'))).toEqual([
      `app|${TASK}|app first`,
      'lambda|0123abcd|lambda second',
      `app|${TASK}|app third`,
    ]);
    expect(r.stderr.match(new RegExp(`log group ${ROTATION_GROUP} does not exist yet`, 'g'))).toHaveLength(1);
    expect(fake.logs.commandCalls(FilterLogEventsCommand).map((c) => c.args[0].input.logGroupName).sort()).toEqual([APP_GROUP, LAMBDA_GROUP, ROTATION_GROUP].sort());
  });

  it('GIVEN --filter and --task THEN the pattern and the task stream go to FilterLogEvents', async () => {
    fake.add(APP_GROUP, { at: minutesAgo(4), message: 'ERROR boom' });
    fake.add(APP_GROUP, { at: minutesAgo(3), message: 'ERROR other task', stream: `ecommerce/app/${OTHER_TASK}` });
    fake.add(APP_GROUP, { at: minutesAgo(2), message: 'fine' });
    const r = await logs(['--filter', 'ERROR', '--task', `arn:aws:ecs:us-east-1:111111111111:task/shop-cluster-dev/${TASK}`]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toMatch(/ERROR boom$/);
    expect(r.stdout).not.toContain('other task');
    const input = fake.logs.commandCalls(FilterLogEventsCommand)[0].args[0].input;
    expect(input).toMatchObject({ filterPattern: 'ERROR', logStreamNames: [`ecommerce/app/${TASK}`] });
  });

  it('GIVEN --since as an ISO time THEN exactly that start; a duration counts back from now', async () => {
    await logs(['--since', '2026-11-29T08:00:00Z']);
    expect(fake.logs.commandCalls(FilterLogEventsCommand)[0].args[0].input.startTime).toBe(Date.parse('2026-11-29T08:00:00Z'));
    await logs(['--since', '2h']);
    expect(Math.abs(fake.logs.commandCalls(FilterLogEventsCommand)[1].args[0].input.startTime! - minutesAgo(120))).toBeLessThan(60_000);
  });

  it('GIVEN --json THEN NDJSON: one {"type":"log"} line per event, then the result with the count', async () => {
    fake.add(APP_GROUP, { at: minutesAgo(1), message: 'hello' });
    const r = await logs(['--json']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ type: 'log', source: 'app', task: TASK, logGroup: APP_GROUP, logStream: `ecommerce/app/${TASK}`, message: 'hello' });
    expect(Date.parse(lines[0].timestamp)).toBeGreaterThan(minutesAgo(2));
    expect(lines[1]).toMatchObject({ type: 'result', ok: true, command: 'logs', environment: 'dev', sources: ['app'], logGroups: [APP_GROUP], via: 'filter', events: 1 });
  });

  it('GIVEN --limit 2 THEN only the newest 2 stored events, in time order, saying how many were left out', async () => {
    for (let i = 1; i <= 5; i++) fake.add(APP_GROUP, { at: minutesAgo(9 - i), message: `event ${i}` });
    const r = await logs(['--limit', '2']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trimEnd().split('\n').map((l) => l.split(/ {2,}/).at(-1))).toEqual(['event 4', 'event 5']);
    expect(r.stderr).toContain('3 older events left out (--limit 2)');
    const json = await logs(['--limit', '2', '--json']);
    expect(JSON.parse(json.stdout.trimEnd().split('\n').at(-1)!)).toMatchObject({ ok: true, limit: 2, events: 2 });
    // More room than events: all of them, nothing said.
    const all = await logs(['--limit', '10']);
    expect(all.stdout.trimEnd().split('\n')).toHaveLength(5);
    expect(all.stderr).not.toContain('left out');
  });

  it('escapes control characters: a log message cannot repaint the terminal or pass for two events', async () => {
    fake.add(APP_GROUP, { at: minutesAgo(1), message: 'line one\nline two \u001b[2J' });
    const r = await logs([]);
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stdout).toContain('line one\\nline two \\u001b[2J');
  });

  it('escapes bidirectional controls in human output (a line cannot read as something else), and keeps them as they are in --json', async () => {
    const message = 'user \u202eevil\u202c logged in \u2066x\u2069\u2028next';
    fake.add(APP_GROUP, { at: minutesAgo(1), message });
    const r = await logs([]);
    expect(r.stdout).toContain('user \\u202eevil\\u202c logged in \\u2066x\\u2069\\u2028next');
    expect(r.stdout).not.toMatch(/[\u202a-\u202e\u2066-\u2069\u2028]/);
    const json = await logs(['--json']);
    expect(JSON.parse(json.stdout.split('\n')[0]).message).toBe(message);
  });
});

describe('tapctl logs: refusals', () => {
  it.each([
    [['--since', 'yesterday'], /--since 'yesterday' is neither a duration nor an ISO 8601 time/],
    [['--since', '2999-01-01T00:00:00Z'], /is in the future/],
    [['--since', '2026-13-45'], /is not a valid date or time/],
    [['--task', 'abc'], /--task 'abc' is not an ECS task ID/],
    [['--task', TASK, '--source', 'lambda'], /--task only applies to the service's logs/],
    [['--source', 'db'], /argument 'db' is invalid/],
    [['--limit', '0'], /--limit takes a whole number of log events from 1 to 10,000, not '0'/],
    [['--limit', '1e3'], /--limit takes a whole number of log events from 1 to 10,000, not '1e3'/],
    [['--limit', '10001'], /--limit takes a whole number of log events from 1 to 10,000/],
    [['--limit', '2.5'], /--limit takes a whole number/],
    [['--limit', '-3'], /--limit/],
  ])('%j is exit 2 before any AWS call', async (argv, message) => {
    const r = await logs(argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(fake.sts.calls()).toHaveLength(0);
  });

  it('GIVEN credentials for another account THEN exit 3 and no log is read', async () => {
    fake.restore();
    fake = new FakeLogs('999999999999');
    const r = await logs([]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("refusing to touch account 999999999999: environment 'dev' belongs to account 111111111111");
    expect(fake.logs.calls()).toHaveLength(0);
  });

  it('GIVEN a stack deployed by an older tapctl (no LogGroups output) THEN exit 1 saying to deploy once', async () => {
    fake.outputs = {};
    const r = await logs([]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('has no LogGroups output');
    expect(r.stderr).toContain('tapctl deploy --env dev');
  });

  it('GIVEN API logging off THEN --source api is exit 2 naming the setting', async () => {
    const r = await logs(['--source', 'api']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('api.loggingLevel: OFF');
  });

  it('GIVEN FilterLogEvents is denied THEN exit 1 naming what was read', async () => {
    fake.logs.on(FilterLogEventsCommand).rejects(awsError('AccessDeniedException', 'not authorized to perform: logs:FilterLogEvents'));
    const r = await logs([]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`AWS denied access while reading log group ${APP_GROUP}`);
  });
});

describe('tapctl logs --follow', () => {
  it('GIVEN AWS THEN the stored events, then Live Tail until Ctrl-C: exit 130 with the count in the result line', async () => {
    fake.add(APP_GROUP, { at: minutesAgo(1), message: 'stored' });
    const ctrlC = new AbortController();
    fake.liveTail(async function* () {
      yield { sessionStart: { sessionId: 's-1' } };
      yield update([]);
      yield update([{ at: Date.now(), message: 'live one' }, { at: Date.now(), message: 'live two' }]);
      // The person presses Ctrl-C while the session waits for more.
      ctrlC.abort();
      await waitForAbort(ctrlC.signal);
    });
    const r = await logs(['--follow', '--json'], { signal: ctrlC.signal });
    expect(r.code, r.stderr).toBe(130);
    const lines = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines.filter((l) => l.type === 'log').map((l) => l.message)).toEqual(['stored', 'live one', 'live two']);
    expect(lines.at(-1)).toMatchObject({ type: 'result', ok: false, command: 'logs', error: { code: 'interrupted', exitCode: 130, details: { via: 'live-tail', events: 3 } } });
    const start = fake.logs.commandCalls(StartLiveTailCommand)[0].args[0].input;
    expect(start.logGroupIdentifiers).toEqual([`arn:aws:logs:us-east-1:111111111111:log-group:${APP_GROUP}`]);
  });

  it('GIVEN the reader of stdout goes away (| head -2) THEN the follow ends there, exit 0, without Ctrl-C', async () => {
    fake.add(APP_GROUP, { at: minutesAgo(1), message: 'stored' });
    let updates = 0;
    fake.liveTail(async function* () {
      yield { sessionStart: { sessionId: 's-1' } };
      // An endless session: only the reader going away can end it.
      for (;;) yield update([{ at: Date.now(), message: `live ${++updates}` }]);
    });
    const r = await logs(['--follow'], { readerGoneAfterLines: 2 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(2);
    expect(updates).toBeLessThan(5);
  });

  it('GIVEN the reader goes away while the stored events are read (tapctl logs | head -1) THEN no follow begins, exit 0', async () => {
    for (let i = 3; i > 0; i--) fake.add(APP_GROUP, { at: minutesAgo(i), message: `stored ${i}` });
    const r = await logs(['--follow'], { readerGoneAfterLines: 1 });
    expect(r.code, r.stderr).toBe(0);
    expect(fake.logs.commandCalls(StartLiveTailCommand)).toHaveLength(0);
  });

  it('GIVEN the reader goes away while no event comes (polling) THEN the follow ends without writing again, exit 0', async () => {
    const leaves = new AbortController();
    fake.logs.on(StartLiveTailCommand).rejects(awsError('AccessDeniedException', 'User is not authorized to perform: logs:StartLiveTail'));
    fake.onFilter = (_input, call) => {
      // Polls that find nothing new; during the third the reader leaves (`| head` that got what it wanted).
      if (call === 3) leaves.abort();
    };
    const r = await logs(['--follow'], { readerGoneWhen: leaves.signal });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('stopped following');
  });

  it('GIVEN --follow --task --filter THEN Live Tail gets the one stream and the pattern', async () => {
    const ctrlC = new AbortController();
    fake.liveTail(async function* () {
      ctrlC.abort();
      await waitForAbort(ctrlC.signal);
    });
    const r = await logs(['--follow', '--task', TASK, '--filter', 'ERROR'], { signal: ctrlC.signal });
    expect(r.code).toBe(130);
    expect(fake.logs.commandCalls(StartLiveTailCommand)[0].args[0].input).toMatchObject({ logStreamNames: [`ecommerce/app/${TASK}`], logEventFilterPattern: 'ERROR' });
  });

  it.each([
    ['denied', awsError('AccessDeniedException', 'User is not authorized to perform: logs:StartLiveTail'), /Live Tail is denied to these credentials \(logs:StartLiveTail\): polling FilterLogEvents every 0\.001s instead/],
    ['throttled', awsError('LimitExceededException', 'too many sessions'), /Live Tail is throttled \(LimitExceededException/],
  ])('GIVEN Live Tail is %s THEN it polls FilterLogEvents instead, said once on stderr', async (_why, error, notice) => {
    const ctrlC = new AbortController();
    fake.logs.on(StartLiveTailCommand).rejects(error);
    fake.onFilter = (_input, call) => {
      // The first call reads the stored events; polls follow. Events arrive during the second poll.
      if (call === 2) fake.add(APP_GROUP, { at: Date.now(), message: 'arrived while polling' });
      if (call === 5) ctrlC.abort();
    };
    const r = await logs(['--follow'], { signal: ctrlC.signal });
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toMatch(notice);
    expect(r.stderr.match(/polling FilterLogEvents/g)).toHaveLength(1);
    expect(r.stdout.match(/arrived while polling/g)).toHaveLength(1);
    expect(r.stderr).toContain('stopped following after 1 log event (polling)');
  });

  it('GIVEN the Live Tail session ends (3 hours) THEN polling takes over from the newest event shown', async () => {
    const ctrlC = new AbortController();
    const shown = Date.now();
    fake.add(APP_GROUP, { at: shown, message: 'already shown by Live Tail', id: 'e1' });
    fake.liveTail(async function* () {
      yield update([{ at: shown, message: 'already shown by Live Tail' }]);
      yield { SessionTimeoutException: { message: 'Session timed out' } };
    });
    fake.onFilter = (_input, call) => call === 4 && ctrlC.abort();
    const r = await logs(['--follow', '--since', '1s'], { signal: ctrlC.signal });
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('Live Tail ended: sessions last at most 3 hours: polling FilterLogEvents');
    // Shown once, although the stored read, Live Tail and the polls all saw it.
    expect(r.stdout.match(/already shown by Live Tail/g)).toHaveLength(1);
  });

  it('GIVEN an endpoint (an emulator) THEN it polls from the start, never asks for Live Tail, and says why once', async () => {
    const ctrlC = new AbortController();
    fake.onFilter = (_input, call) => call === 3 && ctrlC.abort();
    const r = await logs(['--follow'], { signal: ctrlC.signal, cwd: endpointProject.dir });
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('Live Tail is not offered through an endpoint (http://127.0.0.1:9)');
    expect(fake.logs.commandCalls(StartLiveTailCommand)).toHaveLength(0);
  });

  it('GIVEN a poll that gets no answer THEN following goes on (the time limit ends a request, not the follow)', async () => {
    const ctrlC = new AbortController();
    fake.logs.on(StartLiveTailCommand).rejects(awsError('AccessDeniedException', 'denied'));
    let calls = 0;
    fake.logs.on(FilterLogEventsCommand).callsFake(async () => {
      calls++;
      if (calls === 2) throw Object.assign(new Error('a request has exceeded the configured 20000 ms requestTimeout'), { name: 'TimeoutError' });
      if (calls === 3) return { events: [{ timestamp: Date.now(), message: 'after the blip', logStreamName: `ecommerce/app/${TASK}`, eventId: 'x' }] };
      if (calls === 4) ctrlC.abort();
      return { events: [] };
    });
    const r = await logs(['--follow'], { signal: ctrlC.signal });
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toContain('no answer from AWS while reading log group /ecs/shop-app-dev: the request timed out; still following');
    expect(r.stdout).toContain('after the blip');
  });
});
