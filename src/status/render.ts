/**
 * Human output of a status document: labelled sections, one formatted line per item (style.md pattern 8,
 * after ecspresso's status). It is the command's result, so it is text for stdout (`tapctl status | less`),
 * written by the runner (or, refresh by refresh, by --watch); colours only through the IoHost's styles.
 */
import type { CheckStatus, Styles } from '../cli/io-host.js';
import type {
  AlarmsInfo,
  DatabaseInfo,
  ReleaseInfo,
  RolloutInfo,
  DeploymentInfo,
  DomainInfo,
  EndpointInfo,
  ImageRef,
  Section,
  ServiceInfo,
  StatusDocument,
  TargetGroupHealth, TargetsInfo,
} from './schema.js';
import { NO_DOMAIN } from './schema.js';

export interface RenderOptions {
  /** List every stack output (--outputs). */
  readonly outputs: boolean;
}

type Row = readonly [string, string];

/** Lines of text in the IoHost's shapes (section heading, aligned rows, check lines), collected for stdout. */
class StatusText {
  private readonly lines: string[] = [];
  constructor(readonly style: Styles) {}
  section(title: string): void {
    this.lines.push('', this.style.bold(title));
  }
  rows(rows: ReadonlyArray<readonly [string, string]>): void {
    const width = Math.max(0, ...rows.map(([k]) => k.length));
    for (const [k, v] of rows) this.lines.push(`  ${this.style.dim(k.padEnd(width))}  ${v}`);
  }
  check(status: CheckStatus, label: string, detail?: string): void {
    const s = this.style;
    const mark = { pass: s.good('✔'), fail: s.bad('✖'), warn: s.warn('!'), skip: s.dim('–') }[status];
    this.lines.push(`  ${mark} ${label}${detail ? s.dim(`  ${detail}`) : ''}`);
  }
  line(text: string): void {
    this.lines.push(text);
  }
  text(): string {
    return this.lines.join('\n').replace(/^\n/, '');
  }
}

/** The status document as text for stdout. */
export function renderStatus(style: Styles, doc: StatusDocument, options: RenderOptions): string {
  const io = new StatusText(style);
  writeStatus(io, doc, options);
  return io.text();
}

function writeStatus(io: StatusText, doc: StatusDocument, options: RenderOptions): void {
  const s = io.style;
  const at = (time: string | null) => formatTime(time, doc.generatedAt);
  const e = doc.environment;

  io.section(`Stack ${s.accent(doc.stack.name)}  ${s.dim(`${e.name} · ${e.account} · ${e.region}`)}`);
  const stack = doc.stack;
  io.rows([
    ['status', stackStatus(stack.status, s) + (stack.statusReason && !stack.status.endsWith('_COMPLETE') ? s.dim(`  ${stack.statusReason}`) : '')],
    ['last updated', at(stack.lastUpdatedAt)],
    ['termination protection', stack.terminationProtection ? 'on' : 'off'],
    ['operation', stack.operationInProgress ? s.warn(`${stack.status} in progress`) : 'none in progress'],
  ]);

  io.section('Endpoints');
  if (doc.endpoints.length > 0) io.rows(doc.endpoints.map((p) => [p.name, endpointLine(p, s)]));
  else io.check('skip', 'none: this preset has no load balancer, CDN or API');

  section(io, 'Service', doc.service, (d) => renderService(io, d));
  section(io, 'Release', doc.release, (d) => renderRelease(io, d, at));
  section(io, 'Targets', doc.targets, (d) => renderTargets(io, d));
  section(io, 'Database', doc.database, (d) => renderDatabase(io, d));
  section(io, 'Alarms', doc.alarms, (d) => renderAlarms(io, d, at));
  // Only with a domain (configured or deployed): without one there is nothing to show (the endpoints say where the site is).
  if (doc.domain.state !== 'absent' || doc.domain.reason !== NO_DOMAIN) section(io, 'Domain', doc.domain, (d) => renderDomain(io, d, at));

  if (options.outputs) {
    io.section('Outputs');
    const rows = Object.entries(doc.outputs);
    if (rows.length > 0) io.rows(rows);
    else io.check('skip', 'the stack has no outputs');
  }

  const verdict = doc.summary;
  io.line('');
  if (verdict.state === 'stable') {
    const detail =
      doc.service.state === 'ok'
        ? 'no stack operation or service rollout in progress'
        : doc.service.state === 'absent'
          ? 'no stack operation in progress'
          : 'no stack operation in progress; the service rollout could not be read';
    io.check('pass', 'stable', detail);
  }
  else io.check(verdict.state === 'failed' ? 'fail' : 'warn', verdict.state === 'unknown' ? 'stable? unknown' : verdict.state, verdict.reasons.join('; '));
}

function section<T>(io: StatusText, title: string, result: Section<T>, body: (data: T) => void): void {
  io.section(title);
  if (result.state === 'ok') body(result.data);
  else if (result.state === 'absent') io.check('skip', result.reason);
  else if (result.error.code === 'access-denied') io.check('fail', `not shown: AWS denied access${deniedAction(result.error.message)}`, 'your role needs this permission');
  else io.check('fail', 'not shown', result.error.message);
}

/** "... is not authorized to perform: ecs:DescribeServices on ..." or "AWS denied ssm:GetParameters on" -> " (action)". */
function deniedAction(message: string): string {
  const m = /(?:perform:?|denied)\s+([a-z0-9-]+:[A-Za-z0-9]+)/.exec(message);
  return m ? ` (${m[1]})` : '';
}

function renderService(io: StatusText, d: ServiceInfo): void {
  const s = io.style;
  const tasks = `${d.desiredCount} desired · ${d.runningCount} running · ${d.pendingCount} pending`;
  const rows: Row[] = [
    ['service', `${d.service} on ${d.cluster}${d.status === 'ACTIVE' ? '' : s.warn(` (${d.status})`)}`],
    ['tasks', d.runningCount < d.desiredCount ? s.warn(tasks) : tasks],
    ...(d.deploymentPlan ? [['strategy', d.deploymentPlan.summary] as Row] : []),
    ...d.deployments.map((x): Row => ['deployment', deploymentLine(x, s)]),
    ...(d.rollout ? [['rollout', rolloutLine(d.rollout, s)] as Row] : d.rollout === null ? [['rollout', s.dim('none in progress')] as Row] : []),
  ];
  const running = d.image.running;
  if (running) rows.push(['image', imageLine(running)]);
  rows.push(...d.events.map((x): Row => ['event', `${s.dim(clock(x.at))}  ${x.message}`]));
  io.rows(rows);
  for (const note of d.notes) io.check('warn', note);
}

/** The ledger's current release and any drift; the ledger itself on the last row. */
function renderRelease(io: StatusText, d: ReleaseInfo, at: (t: string | null) => string): void {
  const s = io.style;
  const rows: Row[] = [];
  const c = d.current;
  if (c) {
    const image = `${c.image.tag ?? '(no tag)'}${c.image.digest ? ` ${s.dim(shortDigest(c.image.digest))}` : ''}`;
    const outcome = (c.outcome === 'failed' ? s.bad(c.outcome) : c.outcome === 'pushed' || c.outcome === 'started' ? s.warn(c.outcome) : c.outcome) + (c.rollout ? ` · ECS ${c.rollout}` : '');
    rows.push(['current', `${c.id} · ${image} · ${outcome}${c.from ? s.dim(` · rollback to ${c.from}`) : ''}`]);
    rows.push(['by', `${c.by.ciActor ? `${c.by.ciActor} ${s.dim(`(${c.by.arn})`)}` : c.by.arn}${c.by.runUrl ? s.dim(`  ${c.by.runUrl}`) : ''}`]);
    rows.push(['recorded', at(c.at)]);
  } else {
    rows.push(['current', s.dim('none recorded: the next deploy keeps what the stack runs')]);
  }
  if (d.pinned) rows.push(['pinned', `${d.pinned.tag ?? d.pinned.digest ?? ''} ${s.dim('(container.image in the config)')}`]);
  if (d.ended) rows.push(['ended', `${at(d.ended.at)} ${s.dim(`by ${d.ended.by} (destroy)`)}`]);
  rows.push(['ledger', s.dim(d.ledger)]);
  io.rows(rows);
  if (d.ignored) io.check('warn', 'current pointer ignored', d.ignored);
  for (const line of d.drift) io.check('warn', line);
}

/** `canary · PRODUCTION_TRAFFIC_SHIFT · 5% of production traffic on the new release`. */
function rolloutLine(r: RolloutInfo, s: Styles): string {
  const status = r.status.startsWith('ROLLBACK') ? s.bad(`rolling back (${r.status})`) : r.status === 'STOP_REQUESTED' ? s.warn('stopping') : s.warn(r.status);
  const parts = [r.strategy, status];
  if (r.stage) parts.push(r.stage);
  if (r.percent !== null) parts.push(`${r.percent}% of production traffic on the new release`);
  if (r.alarms.length) parts.push(s.bad(`alarm ${r.alarms.join(', ')} fired`));
  return parts.join(' · ');
}

function deploymentLine(x: DeploymentInfo, s: Styles): string {
  const rollout = x.rolloutState === 'FAILED' ? s.bad('FAILED') : x.rolloutState === 'IN_PROGRESS' ? s.warn('IN_PROGRESS') : (x.rolloutState ?? '-');
  const parts = [x.status, rollout, x.taskDefinition, `${x.runningCount}/${x.desiredCount} running`];
  if (x.pendingCount > 0) parts.push(`${x.pendingCount} pending`);
  if (x.failedTasks > 0) parts.push(s.bad(`${x.failedTasks} failed`));
  const reason = x.rolloutState && x.rolloutState !== 'COMPLETED' && x.rolloutStateReason ? s.dim(`  ${x.rolloutStateReason}`) : '';
  return parts.join(' · ') + reason;
}

function imageLine(image: ImageRef): string {
  const name = image.repository.slice(image.repository.lastIndexOf('/') + 1);
  return `${name}:${image.tag ?? '(no tag)'} ${image.digest ? shortDigest(image.digest) : '(digest unknown)'}`;
}

function renderTargets(io: StatusText, d: TargetsInfo): void {
  const s = io.style;
  const group = (g: TargetGroupHealth): Row[] => {
    const counts = `${g.healthy} healthy · ${g.unhealthy} unhealthy` + (g.other > 0 ? ` · ${g.other} other` : '');
    const weight = d.weights ? s.dim(`  weight ${d.weights[g.targetGroup] ?? 0}`) : '';
    return [
      ['target group', `${g.targetGroup}${weight}`],
      ['health', g.unhealthy > 0 ? s.bad(counts) : g.healthy === 0 && (!d.weights || (d.weights[g.targetGroup] ?? 0) > 0) ? s.warn(counts) : counts],
      ...g.targets
        .filter((t) => t.state !== 'healthy')
        .map((t): Row => [t.port === null ? t.id : `${t.id}:${t.port}`, `${t.state.startsWith('unhealthy') ? s.bad(t.state) : s.warn(t.state)}${t.reason ? ` ${t.reason}` : ''}${t.description ? s.dim(`  ${t.description}`) : ''}`]),
    ];
  };
  io.rows([...group(d), ...(d.alternate ? group(d.alternate) : [])]);
  if (d.stranded) io.check('fail', d.stranded, 'move the traffic to the group with tasks (aws elbv2 modify-rule), or deploy again');
}

function renderDatabase(io: StatusText, d: DatabaseInfo): void {
  const s = io.style;
  const rows: Row[] = [
    // rds-postgres has no cluster: `cluster` is then its primary instance.
    [d.instances.some((i) => i.id === d.cluster) ? 'primary' : 'cluster', d.cluster],
    ['status', d.status === 'available' ? d.status : s.warn(d.status)],
    ['engine', `${d.engine} ${d.engineVersion}`],
    ...d.instances.map((i): Row => [i.role, [i.id, i.status ?? 'status unknown', i.instanceClass].filter(Boolean).join(' · ')]),
  ];
  if (d.capacity) rows.push(['capacity', `${d.capacity.minAcu}–${d.capacity.maxAcu} ACU (Serverless v2)`]);
  io.rows(rows);
}

function renderAlarms(io: StatusText, d: AlarmsInfo, at: (t: string | null) => string): void {
  const s = io.style;
  const rows: Row[] = [['in ALARM', `${d.counts.alarm === 0 ? s.good('0') : s.bad(String(d.counts.alarm))} of ${d.total}` + (d.counts.insufficientData > 0 ? s.dim(` · ${d.counts.insufficientData} with insufficient data`) : '')]];
  rows.push(...d.firing.map((a): Row => [a.name, `${s.bad('ALARM')} since ${at(a.since)}${a.reason ? s.dim(`  ${a.reason}`) : ''}`]));
  io.rows(rows);
  if (d.missing.length > 0) io.check('warn', `${d.missing.length} expected alarm${d.missing.length === 1 ? '' : 's'} not found`, d.missing.join(', '));
}

function renderDomain(io: StatusText, d: DomainInfo, at: (t: string | null) => string): void {
  const s = io.style;
  const rows: Row[] = [['name', `${d.url}${d.zone ? s.dim(`  zone ${d.zone}`) : s.dim('  DNS outside tapctl')}`]];
  for (const c of d.certificates) {
    const status = c.status === 'ISSUED' ? s.good(c.status) : c.status === 'PENDING_VALIDATION' ? s.warn(c.status) : s.bad(c.status);
    rows.push([`${c.for} certificate`, `${status}${c.notAfter ? ` until ${at(c.notAfter)}` : ''}${s.dim(`  ${c.name ?? c.arn} · ${c.region}`)}`]);
  }
  io.rows(rows);
}

function endpointLine(p: EndpointInfo, s: Styles): string {
  if (!p.url) return s.dim(`no ${p.output} output`);
  if (p.notProbed) return `${p.url}  ${s.dim(`not probed: ${p.notProbed}`)}`;
  if (!p.probe) return p.url;
  const r = p.probe;
  const result = r.statusCode !== null ? `${r.ok ? s.good(String(r.statusCode)) : s.bad(String(r.statusCode))} ${r.latencyMs} ms` : s.bad(r.error ?? 'no answer');
  return `${p.url}  ${s.dim('GET ' + new URL(r.url).pathname)} ${result}`;
}

function stackStatus(status: string, s: Styles): string {
  if (status.endsWith('_FAILED') || status.endsWith('ROLLBACK_COMPLETE')) return s.bad(status);
  if (status.endsWith('_IN_PROGRESS')) return s.warn(status);
  return s.good(status);
}

const shortDigest = (d: string) => (d.startsWith('sha256:') ? d.slice(0, 19) : d);

/** `2026-11-22 10:03:11 UTC (3 min ago)`; relative to the document's own time so output is reproducible. */
export function formatTime(time: string | null, now: string): string {
  if (!time) return 'unknown';
  const t = new Date(time);
  const seconds = Math.round((Date.parse(now) - t.getTime()) / 1000);
  return `${time.slice(0, 19).replace('T', ' ')} UTC (${ago(seconds)})`;
}

function clock(time: string | null): string {
  return time ? time.slice(5, 16).replace('T', ' ') : '--';
}

export function ago(seconds: number): string {
  if (seconds < 5) return 'just now';
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`;
  return `${Math.floor(seconds / 86_400)} d ago`;
}
