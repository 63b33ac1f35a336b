/**
 * The bad-input corpus of [3/12], run through the spawned binary as a new user or a CI job would run it, each
 * case in human form and with --json, bounded in time. Every answer must be clean: the documented exit code, one
 * message (one ✖ line; in --json one result line with the same exit code), no stack trace, never "internal
 * error", and output of bounded length. New cases of the same kinds go in CASES.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanEnv, spawnTapctl, type CliRun } from '../helpers/cli.js';

const root = mkdtempSync(join(tmpdir(), 'tapctl-corpus-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const VALID = 'project: shop\ndefaults:\n  alarms: { email: ops@shop.test }\nenvironments:\n  dev: { account: "111111111111", region: us-east-1 }\n  prod: { account: "222222222222", region: us-east-1 }\n';
const DOCUMENTED = [0, 1, 2, 3, 130];
/**
 * Longest acceptable answer, stdout and stderr together: far below the huge inputs of kind 5 (100 KB, 10 MB), so a
 * value echoed whole fails it, and above a whole dry-run plan with every preflight check (about 4 KB).
 */
const MAX_OUTPUT = 8000;

interface Case {
  readonly name: string;
  /** Writes the project (or not) into the case's own folder. */
  readonly setup?: (dir: string) => void;
  readonly argv: string[];
  /** The human form's argv when --json cannot simply be left out (the case is about --json itself). */
  readonly humanArgv?: string[];
  readonly env?: Record<string, string>;
  readonly exit: number;
  /** What the one message must say. */
  readonly says: RegExp;
}

const config = (text: string) => (dir: string) => writeFileSync(join(dir, 'tapctl.config.yaml'), text);
const billionLaughs = () => {
  let text = 'project: shop\nlol0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
  for (let i = 1; i < 10; i++) text += `lol${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(', ')}]\n`;
  return text + 'environments:\n  dev: { account: "111111111111", region: us-east-1 }\n';
};

const CASES: Case[] = [
  // Kind 1: local files are caches.
  { name: 'a garbage config cache', setup: (d) => { config(VALID)(d); mkdirSync(join(d, '.tapctl')); writeFileSync(join(d, '.tapctl', 'config-cache.json'), '{"tapctlCache":1,"sha256":"0","data":{}}'); }, argv: ['config', '--env', 'prod'], exit: 0, says: /ignoring \.tapctl\/config-cache\.json: its content does not match its hash/ },
  { name: 'a garbage image.json', setup: (d) => { config(VALID)(d); mkdirSync(join(d, '.tapctl', 'dev'), { recursive: true }); writeFileSync(join(d, '.tapctl', 'dev', 'image.json'), '{"repositoryUri":"evil.example.com/x","tag":"pwned"}'); }, argv: ['deploy', '--env', 'dev', '--dry-run'], exit: 0, says: /image\s+not resolved \(no credentials\)/ },
  // Kind 2: only tapctl's own output is removed.
  { name: 'synth --out a web folder', setup: (d) => { config(VALID)(d); mkdirSync(join(d, 'public')); writeFileSync(join(d, 'public', 'manifest.json'), '{}'); writeFileSync(join(d, 'public', 'index.html'), 'x'); }, argv: ['synth', '--env', 'dev', '--out', 'public'], exit: 2, says: /it holds files tapctl did not write/ },
  // Kind 3: parser errors.
  { name: 'a billion-laughs config', setup: config(billionLaughs()), argv: ['validate'], exit: 2, says: /is not valid/ },
  { name: 'nesting deeper than the stack', setup: config(`project: ${'['.repeat(5000)}${']'.repeat(5000)}\n`), argv: ['config', '--env', 'dev'], exit: 2, says: /nests too deeply/ },
  { name: 'a config with a byte-order mark and an error on line 1', setup: config(`\uFEFF${VALID.replace('project: shop', 'project: Shop!')}`), argv: ['validate'], exit: 2, says: /tapctl\.config\.yaml:1:1 {2}project|"path":"project","line":1,"col":1/ },
  { name: 'binary garbage as config', setup: (d) => writeFileSync(join(d, 'tapctl.config.yaml'), Buffer.from([0xff, 0xfe, 0, 1, 0x3a, 0x0a, 0x5b])), argv: ['status', '--env', 'dev'], exit: 2, says: /./ },
  // Kind 4: names JavaScript treats specially.
  { name: 'an environment named __proto__', setup: config(`${VALID}  __proto__: { account: "111111111111", region: us-east-1 }\n`), argv: ['validate'], exit: 2, says: /is not valid/ },
  { name: 'an environment named constructor', setup: config(`${VALID}  constructor: { account: "111111111111", region: us-east-1 }\n`), argv: ['config', '--env', 'dev'], exit: 2, says: /'constructor' cannot be used as a name/ },
  // Kind 5: not plain files, huge values.
  { name: 'a FIFO as config', setup: (d) => execFileSync('mkfifo', [join(d, 'tapctl.config.yaml')]), argv: ['validate'], exit: 2, says: /a named pipe \(FIFO\), not a file/ },
  { name: '/dev/zero as config', setup: (d) => symlinkSync('/dev/zero', join(d, 'tapctl.config.yaml')), argv: ['deploy', '--env', 'dev', '--dry-run'], exit: 2, says: /a character device, not a file/ },
  { name: 'a folder as config', setup: (d) => mkdirSync(join(d, 'tapctl.config.yaml')), argv: ['synth', '--env', 'dev'], exit: 2, says: /a folder, not a file/ },
  { name: 'a 100 KB --env value', setup: config(VALID), argv: ['config', '--env', 'e'.repeat(100_000)], exit: 2, says: /\(100,000 characters\)/ },
  { name: 'a 10 MB config value', setup: config(VALID.replace('region: us-east-1 }', `region: us-east-1, suffix: ${'s'.repeat(10 * 1024 * 1024)} }`)), argv: ['validate'], exit: 2, says: /is not valid/ },
  { name: 'escape sequences in --env', setup: config(VALID), argv: ['config', '--env', '\u001b[2J\u001b[31mdev'], exit: 2, says: /\\u001b\[2J/ },
  // Kind 6: settings from the environment.
  { name: 'TAPCTL_AWS_TIMEOUT_MS=abc', setup: config(VALID), argv: ['status', '--env', 'dev'], env: { TAPCTL_AWS_TIMEOUT_MS: 'abc' }, exit: 2, says: /TAPCTL_AWS_TIMEOUT_MS='abc' is not valid/ },
  { name: 'TAPCTL_AWS_TIMEOUT_MS=0', setup: config(VALID), argv: ['deploy', '--env', 'dev', '--dry-run'], env: { TAPCTL_AWS_TIMEOUT_MS: '0' }, exit: 2, says: /from 1 to 3,600,000/ },
  { name: 'TAPCTL_POLL_INTERVAL_MS=-1', setup: config(VALID), argv: ['validate'], env: { TAPCTL_POLL_INTERVAL_MS: '-1' }, exit: 2, says: /TAPCTL_POLL_INTERVAL_MS='-1' is not valid/ },
  {
    name: 'AWS_PROFILE with a typo',
    setup: (d) => { config(VALID)(d); writeFileSync(join(d, 'aws-config'), '[profile shop-dev]\nregion = us-east-1\n'); },
    argv: ['status', '--env', 'dev'],
    env: { AWS_PROFILE: 'shop-dve', AWS_CONFIG_FILE: 'aws-config', AWS_SHARED_CREDENTIALS_FILE: 'none' },
    exit: 2,
    says: /there is no AWS profile 'shop-dve' \(from AWS_PROFILE\); did you mean 'shop-dev'\?/,
  },
  // Kind 7: options checked before the work.
  { name: 'deploy --outputs-file /', setup: config(VALID), argv: ['deploy', '--env', 'dev', '--dry-run', '--outputs-file', '/'], exit: 2, says: /is a folder/ },
  { name: 'deploy --dry-run --no-wait', setup: config(VALID), argv: ['deploy', '--env', 'dev', '--dry-run', '--no-wait'], exit: 2, says: /cannot be used with option '--dry-run'/ },
  { name: 'status --watch often', setup: config(VALID), argv: ['status', '--env', 'dev', '--watch', 'often'], exit: 2, says: /--watch takes a number of seconds/ },
  { name: 'push-image --tag latest', setup: config(VALID), argv: ['push-image', '--env', 'dev', '--tag', 'latest'], exit: 2, says: /never the only tag/ },
  { name: 'logs --since yesterday', setup: config(VALID), argv: ['logs', '--env', 'dev', '--since', 'yesterday'], exit: 2, says: /--since 'yesterday' is neither a duration nor an ISO 8601 time/ },
  { name: 'logs --since in the future', setup: config(VALID), argv: ['logs', '--env', 'dev', '--since', '2999-01-01T00:00:00Z'], exit: 2, says: /is in the future/ },
  { name: 'logs --task that is no task ID', setup: config(VALID), argv: ['logs', '--env', 'dev', '--task', '../../etc/passwd'], exit: 2, says: /is not an ECS task ID/ },
  { name: 'logs --task with --source lambda', setup: config(VALID), argv: ['logs', '--env', 'dev', '--source', 'lambda', '--task', '0123456789abcdef0123456789abcdef'], exit: 2, says: /--task only applies to the service's logs/ },
  { name: 'logs --limit 0x10', setup: config(VALID), argv: ['logs', '--env', 'dev', '--limit', '0x10'], exit: 2, says: /--limit takes a whole number of log events from 1 to 10,000, not '0x10'/ },
  { name: 'logs --source db', setup: config(VALID), argv: ['logs', '--env', 'dev', '--source', 'db'], exit: 2, says: /argument 'db' is invalid/ },
  { name: 'run without a command', setup: config(VALID), argv: ['run', '--env', 'dev'], exit: 2, says: /give the command after --/ },
  // (--json goes before --: after it, it would be a word of the command.)
  { name: 'run with an empty command word', setup: config(VALID), argv: ['run', '--env', 'dev', '--json', '--', ''], humanArgv: ['run', '--env', 'dev', '--', ''], exit: 2, says: /the command after -- starts with an empty word: there is nothing to run/ },
  { name: 'run with a command over RunTask\'s overrides limit', setup: config(VALID), argv: ['run', '--env', 'dev', '--json', '--', 'sh', '-c', `echo ${'x'.repeat(9000)}`], humanArgv: ['run', '--env', 'dev', '--', 'sh', '-c', `echo ${'x'.repeat(9000)}`], exit: 2, says: /RunTask allows 8192 characters of overrides \(their JSON included\), and this one makes 90\d\d/ },
  { name: 'run in production without --yes or a terminal', setup: config(VALID), argv: ['run', '--env', 'prod', 'true'], exit: 3, says: /running a command in production 'prod' needs approval/ },
  { name: 'secrets set with the value on argv', setup: config(VALID), argv: ['secrets', 'set', '--env', 'dev', 'STRIPE_KEY', 'sk_live_0123456789abcdefghij'], exit: 2, says: /printf %s "\$VALUE" \| tapctl secrets set --env dev STRIPE_KEY/ },
  { name: 'secrets set NAME=VALUE', setup: config(VALID), argv: ['secrets', 'set', '--env', 'dev', 'STRIPE_KEY=hunter2-secret'], exit: 2, says: /never taken from the command line/ },
  { name: 'secrets set --value', setup: config(VALID), argv: ['secrets', 'set', '--env', 'dev', '--value', 'hunter2-secret', 'STRIPE_KEY'], exit: 2, says: /never taken from the command line/ },
  { name: 'secrets set a lower-case name', setup: config(VALID), argv: ['secrets', 'set', '--env', 'dev', 'stripe_key'], exit: 2, says: /is not a secret name \(not shown/ },
  { name: 'secrets set with nothing on stdin', setup: config(VALID), argv: ['secrets', 'set', '--env', 'dev', 'STRIPE_KEY'], exit: 2, says: /the value of STRIPE_KEY is empty/ },
  { name: 'secrets without a subcommand', setup: config(VALID), argv: ['secrets', '--env', 'dev'], exit: 2, says: /secrets needs a subcommand: set, list or unset/ },
  { name: 'secrets unset without --yes or a terminal', setup: config(VALID), argv: ['secrets', 'unset', '--env', 'dev', 'OLD_TOKEN'], exit: 3, says: /needs approval, and there is no terminal to ask/ },
  { name: 'exec with container.exec off', setup: config(VALID), argv: ['exec', '--env', 'dev'], humanArgv: ['exec', '--env', 'dev'], exit: 2, says: /(ECS Exec is off for 'dev'|no --json form)/ },
  { name: 'exec --task that is no task ID', setup: config(VALID), argv: ['exec', '--env', 'dev', '--task', 'web-1'], exit: 2, says: /--task 'web-1' is not an ECS task ID/ },
  { name: 'an unknown --option=value (its value not repeated)', setup: config(VALID), argv: ['validate', '--token=hunter2-secret'], exit: 2, says: /unknown option '--token=…' \(its value not shown\)/ },
  // Kind 8: init.
  { name: 'init --region us-easst-1', argv: ['init', '--region', 'us-easst-1', '--account', '123456789012', '--email', 'ops@shop.io'], exit: 2, says: /did you mean 'us-east-1'\?/ },
  { name: 'init --account 1234', argv: ['init', '--account', '1234', '--email', 'ops@shop.io'], exit: 2, says: /is not an AWS account ID/ },
  { name: 'init in a folder that holds a project', setup: config(VALID), argv: ['init', '--account', '123456789012', '--email', 'ops@shop.io'], exit: 2, says: /already holds a tapctl project/ },
  { name: 'init without a terminal or flags', argv: ['init'], exit: 2, says: /--account and --email are required/ },
  // Kind 9: one contract.
  { name: '--env --json', setup: config(VALID), argv: ['config', '--env', '--json'], humanArgv: ['config', '--env', '--no-color'], exit: 2, says: /--env needs a value, got the flag/ },
  { name: 'an invalid config', setup: config('project: Shop!\nenvironments: {}\n'), argv: ['validate'], exit: 2, says: /is not valid/ },
  // The edge ([11/12]): validate's refusals, before anything reaches AWS.
  { name: "CloudFront's certificate in eu-west-1", setup: config(VALID.replace('prod: { account: "222222222222", region: us-east-1 }', 'prod: { account: "222222222222", region: us-east-1, domain: { name: shop.example.com, certificateArn: "arn:aws:acm:eu-west-1:222222222222:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d" } }')), argv: ['validate'], exit: 2, says: /CloudFront uses certificates in us-east-1 only/ },
  { name: 'a hosted zone that does not hold the name', setup: config(VALID.replace('dev: { account: "111111111111", region: us-east-1 }', 'dev: { account: "111111111111", region: us-east-1, domain: { name: shop.example.org, hostedZoneId: Z0123456789ABCDEFGHIJ, zoneName: example.com } }')), argv: ['deploy', '--env', 'dev', '--dry-run'], exit: 2, says: /the hosted zone example.com does not contain shop.example.org/ },
  { name: 'a rule quota the CloudFront prefix list does not fit', setup: config(VALID.replace('dev: { account: "111111111111", region: us-east-1 }', 'dev: { account: "111111111111", region: us-east-1, origin: { securityGroupRuleQuota: 50 } }')), argv: ['validate'], exit: 2, says: /needs 55 rules .*quota of 50 inbound rules per security group/ },
  // Kind 10 and the rest.
  { name: 'destroy --force', setup: config(VALID), argv: ['destroy', '--env', 'prod', '--force', '--yes'], exit: 2, says: /--force is now --allow-production/ },
  { name: 'a misspelt command', argv: ['deplyo'], exit: 2, says: /unknown command 'deplyo'; did you mean deploy\?/ },
  { name: 'an unknown option', setup: config(VALID), argv: ['validate', '--strict'], exit: 2, says: /unknown option '--strict'/ },
  { name: 'no project anywhere', argv: ['status', '--env', 'dev'], exit: 2, says: /no tapctl.config.yaml in/ },
  { name: '--dir that does not exist', argv: ['validate', '--dir', 'nowhere'], exit: 2, says: /there is no such folder/ },
  // [3/12] follow-ups found by QA: one mechanism each, for every option and command.
  { name: 'a repeated --to', setup: config(VALID), argv: ['rollback', '--env', 'dev', '--to', '1', '--to', '2', '--dry-run'], exit: 2, says: /--to was given 2 times \('1', then '2'\); it takes one value/ },
  { name: 'a repeated --env', setup: config(VALID), argv: ['config', '--env', 'dev', '--env', 'prod'], exit: 2, says: /--env was given 2 times/ },
  { name: 'an empty --to', setup: config(VALID), argv: ['rollback', '--env', 'dev', '--to', '', '--dry-run'], exit: 2, says: /--to needs a value, got an empty one/ },
  { name: 'a 100 KB --to with newlines', setup: config(VALID), argv: ['rollback', '--env', 'dev', '--to', `${'x'.repeat(100_000)}\ny`, '--to', 'z'], exit: 2, says: /--to was given 2 times \('x{40}…' \(100,002 characters\), then 'z'\)/ },
  { name: 'synth --out under /dev/null', setup: config(VALID), argv: ['synth', '--env', 'dev', '--out', '/dev/null/x'], exit: 2, says: /--out '\/dev\/null\/x': \/dev\/null is a device or special file, not a folder/ },
  { name: '--limit 1e3', setup: config(VALID), argv: ['releases', '--env', 'dev', '--limit', '1e3'], exit: 2, says: /--limit takes a whole number of releases from 1 to 10/ },
  { name: '--limit 0x10', setup: config(VALID), argv: ['releases', '--env', 'dev', '--limit', '0x10'], exit: 2, says: /--limit takes a whole number of releases from 1 to 10/ },
  { name: 'an ftp:// endpoint', setup: config(VALID.replace('dev: { account: "111111111111", region: us-east-1 }', 'dev: { account: "111111111111", region: us-east-1, endpoint: "ftp://x" }')), argv: ['validate'], exit: 2, says: /is not valid/ },
  { name: 'an image pinned to latest', setup: config(`${VALID}  staging: { account: "111111111111", region: us-east-1, container: { image: { tag: latest } } }\n`), argv: ['validate'], exit: 2, says: /is not valid/ },
  { name: 'an image pinned to the placeholder tag', setup: config(`${VALID}  staging: { account: "111111111111", region: us-east-1, container: { image: { tag: tapctl-bootstrap-placeholder } } }\n`), argv: ['validate'], exit: 2, says: /is not valid/ },
  { name: 'push-image --tag the placeholder', setup: config(VALID), argv: ['push-image', '--env', 'dev', '--tag', 'tapctl-bootstrap-placeholder'], exit: 2, says: /'tapctl-bootstrap-placeholder' is reserved/ },
  // Kind 11: preview environments ([10/12]); every one answered before any AWS call but the last.
  { name: 'env alone', setup: config(VALID), argv: ['env'], exit: 2, says: /env needs a subcommand: create, list or sweep/ },
  { name: 'env lsit', setup: config(VALID), argv: ['env', 'lsit'], exit: 2, says: /env has no subcommand 'lsit' \(did you mean 'list'\?\)/ },
  { name: 'env create with capitals', setup: config(VALID), argv: ['env', 'create', 'PR-1', '--from', 'dev', '--yes'], exit: 2, says: /'PR-1' is not a valid preview name/ },
  { name: 'env create with a 100 KB name', setup: config(VALID), argv: ['env', 'create', 'p'.repeat(100_000), '--from', 'dev', '--yes'], exit: 2, says: /\(100,000 characters\)/ },
  { name: 'env create --from production', setup: config(VALID), argv: ['env', 'create', 'pr-1', '--from', 'prod', '--yes'], exit: 2, says: /--from 'prod': it is a production environment/ },
  { name: 'env create a reserved name', setup: config(VALID), argv: ['env', 'create', 'prod-copy', '--from', 'dev', '--yes'], exit: 2, says: /'prod-copy' is reserved/ },
  { name: 'env create --ttl 5m', setup: config(VALID), argv: ['env', 'create', 'pr-1', '--from', 'dev', '--ttl', '5m', '--yes'], exit: 2, says: /--ttl '5m' is out of bounds: a preview lives from 1 hour to 30 days/ },
  { name: 'env create --image without a tag', setup: config(VALID), argv: ['env', 'create', 'pr-1', '--from', 'dev', '--image', 'nginx', '--yes'], exit: 2, says: /--image 'nginx' is not an image reference with a tag or digest/ },
  { name: 'env create without --yes or a terminal', setup: config(VALID), argv: ['env', 'create', 'pr-1', '--from', 'dev'], exit: 3, says: /needs approval, and there is no terminal to ask; nothing was created/ },
  { name: 'env sweep --live-branches missing', setup: config(VALID), argv: ['env', 'sweep', '--live-branches', 'branches.txt', '--yes'], exit: 2, says: /--live-branches 'branches.txt': there is no such file/ },
  // A construct's own refusal reachable from a config is a validate rule first (qa3 P2 #5), never an internal error.
  { name: 'waf.managedRules empty, synthesized', setup: config(VALID.replace('region: us-east-1 }', 'region: us-east-1, waf: { managedRules: [] } }')), argv: ['synth', '--env', 'dev'], exit: 2, says: /waf.managedRules lists no rule group/ },
  // '-' is stdin for an option that documents it (qa3 P2 #2): read (here empty), not refused as a flag.
  { name: 'env sweep --live-branches - with nothing on stdin', setup: config(VALID), argv: ['env', 'sweep', '--live-branches', '-', '--yes'], exit: 2, says: /--live-branches lists no branch/ },
  { name: 'env sweep --live-branches=- with nothing on stdin', setup: config(VALID), argv: ['env', 'sweep', '--live-branches=-', '--yes'], exit: 2, says: /--live-branches lists no branch/ },
  { name: "'-' for an option that does not read stdin", setup: config(VALID), argv: ['config', '--env', '-'], exit: 2, says: /--env does not read from stdin: '-' is not a value it takes/ },
  // A repeated single-value option of a group's subcommand (qa3 P2 #9): refused as at the top level.
  { name: 'env create --from twice', setup: config(VALID), argv: ['env', 'create', 'pr-1', '--from', 'dev', '--from', 'staging', '--yes'], exit: 2, says: /--from was given 2 times \('dev', then 'staging'\)/ },
  { name: 'env create --ttl twice', setup: config(VALID), argv: ['env', 'create', 'pr-1', '--from', 'dev', '--ttl', '1h', '--ttl', '2h', '--yes'], exit: 2, says: /--ttl was given 2 times/ },
  { name: 'env create --image twice', setup: config(VALID), argv: ['env', 'create', 'pr-1', '--from', 'dev', '--image', 'a:1', '--image', 'b:2', '--yes'], exit: 2, says: /--image was given 2 times/ },
  { name: 'ci init --branch twice', setup: config(VALID), argv: ['ci', 'init', 'github', '--branch', 'main', '--branch', 'release'], exit: 2, says: /--branch was given 2 times/ },
  // Commands that span every environment take no --env, rather than ignoring it (qa3 P3 #11).
  { name: 'env list --env dev', setup: config(VALID), argv: ['env', 'list', '--env', 'dev'], exit: 2, says: /env list takes no --env \('dev'\)/ },
  { name: 'env sweep --env dev', setup: config(VALID), argv: ['env', 'sweep', '--env', 'dev', '--dry-run'], exit: 2, says: /env sweep takes no --env \('dev'\)/ },
  { name: 'env sweep without --yes or a terminal', setup: config(VALID), argv: ['env', 'sweep'], exit: 3, says: /env sweep deletes stacks and needs confirmation/ },
  { name: 'a canary percent ECS refuses', setup: config(VALID.replace('dev: { account: "111111111111", region: us-east-1 }', 'dev: { account: "111111111111", region: us-east-1, deployment: { strategy: canary, canary: { percent: 0.05 } } }')), argv: ['validate'], exit: 2, says: /deployment\.canary\.percent 0\.05 is outside 0\.1 to 100/ },
  { name: 'a bake time without its unit (qa5 P3)', setup: config(VALID.replace('dev: { account: "111111111111", region: us-east-1 }', 'dev: { account: "111111111111", region: us-east-1, deployment: { strategy: canary, bake: 90 } }')), argv: ['validate'], exit: 2, says: /expected a duration, got the number 90: write 90m \(minutes\)/ },
  { name: 'a bake time past ECS\'s bound, said as the bound (qa5 P3)', setup: config(VALID.replace('dev: { account: "111111111111", region: us-east-1 }', 'dev: { account: "111111111111", region: us-east-1, deployment: { strategy: canary, bake: 100000m } }')), argv: ['validate'], exit: 2, says: /deployment\.bake 100000m is 100000 minutes: ECS takes 0 to 1440/ },
  { name: 'a deployment strategy ECS does not have', setup: config(VALID.replace('dev: { account: "111111111111", region: us-east-1 }', 'dev: { account: "111111111111", region: us-east-1, deployment: { strategy: instant } }')), argv: ['validate'], exit: 2, says: /deployment\.strategy/ },
  { name: 'a preview name without credentials', setup: config(VALID), argv: ['status', '--env', 'pr-1'], exit: 2, says: /there is no environment 'pr-1' in tapctl.config.yaml, and previews could not be listed \(no AWS credentials found/ },
  // Kind 12: CI pipelines and their roles ([9/12]); every one answered before any AWS call.
  { name: 'ci alone', setup: config(VALID), argv: ['ci'], exit: 2, says: /ci needs a subcommand: init or summary/ },
  { name: 'ci init bitbucket', setup: config(VALID), argv: ['ci', 'init', 'bitbucket'], exit: 2, says: /ci init knows no CI 'bitbucket'/ },
  { name: 'ci init without a terminal or a CI named', setup: config(VALID), argv: ['ci', 'init'], exit: 2, says: /there is no terminal to ask/ },
  { name: 'ci init --branch with a shell command', setup: config(VALID), argv: ['ci', 'init', 'github', '--branch', 'main;rm -rf ~'], exit: 2, says: /is not a branch name tapctl can write into a trust policy and a pipeline/ },
  { name: 'ci init over an existing workflow', setup: (d) => { config(VALID)(d); mkdirSync(join(d, '.github', 'workflows'), { recursive: true }); writeFileSync(join(d, '.github', 'workflows', 'tapctl.yml'), 'name: mine\n'); }, argv: ['ci', 'init', 'github'], exit: 2, says: /ci init would overwrite \.github\/workflows\/tapctl\.yml/ },
  { name: 'ci summary of a missing file', setup: config(VALID), argv: ['ci', 'summary', 'diff.ndjson'], exit: 2, says: /ci summary cannot read .*diff\.ndjson.*ENOENT/ },
  { name: 'bootstrap --ci github without --repo', setup: config(VALID), argv: ['bootstrap', '--env', 'dev', '--ci', 'github', '--yes'], exit: 2, says: /--ci github needs --repo <owner\/name>/ },
  { name: 'bootstrap --ci github --repo with a wildcard', setup: config(VALID), argv: ['bootstrap', '--env', 'dev', '--ci', 'github', '--repo', 'acme/*', '--yes'], exit: 2, says: /--repo 'acme\/\*' holds a wildcard/ },
  { name: 'bootstrap --ci gitlab --branch with a wildcard', setup: config(VALID), argv: ['bootstrap', '--env', 'dev', '--ci', 'gitlab', '--project', 'acme/shop', '--branch', 'release/*', '--yes'], exit: 2, says: /--branch 'release\/\*' holds a wildcard/ },
  { name: 'bootstrap --ci github --repo of 100 KB', setup: config(VALID), argv: ['bootstrap', '--env', 'dev', '--ci', 'github', '--repo', 'a'.repeat(100_000), '--yes'], exit: 2, says: /\(100,000 characters\)/ },
  { name: 'bootstrap --ci gitlab --gitlab-host a URL', setup: config(VALID), argv: ['bootstrap', '--env', 'dev', '--ci', 'gitlab', '--project', 'acme/shop', '--gitlab-host', 'https://gitlab.example.com', '--yes'], exit: 2, says: /--gitlab-host 'https:\/\/gitlab\.example\.com' is not a host name/ },
  { name: 'bootstrap --repo without --ci', setup: config(VALID), argv: ['bootstrap', '--env', 'dev', '--repo', 'acme/shop', '--yes'], exit: 2, says: /--repo only applies with --ci/ },
  { name: 'bootstrap --ci --previews for production', setup: config(VALID), argv: ['bootstrap', '--env', 'prod', '--ci', 'github', '--repo', 'acme/shop', '--previews', '--yes'], exit: 2, says: /--previews: 'prod' is a production environment/ },
  { name: 'bootstrap --ci --branch a full ref', setup: config(VALID), argv: ['bootstrap', '--env', 'dev', '--ci', 'github', '--repo', 'acme/shop', '--branch', 'refs/heads/main', '--yes'], exit: 2, says: /--branch 'refs\/heads\/main' is a full ref: give the branch name/ },
  { name: 'ci init --branch a full ref', setup: config(VALID), argv: ['ci', 'init', 'github', '--branch', 'refs/heads/main'], exit: 2, says: /--branch 'refs\/heads\/main' is a full ref/ },
  { name: 'bootstrap --ci gitlab --gitlab-host with a wildcard', setup: config(VALID), argv: ['bootstrap', '--env', 'dev', '--ci', 'gitlab', '--project', 'acme/shop', '--gitlab-host', '*.example.com', '--yes'], exit: 2, says: /--gitlab-host '\*\.example\.com' holds a wildcard/ },
  { name: 'bootstrap --replace-trust without --ci', setup: config(VALID), argv: ['bootstrap', '--env', 'dev', '--replace-trust', '--yes'], exit: 2, says: /--replace-trust only applies with --ci/ },
  { name: 'bootstrap --ci with a bad TAPCTL_CI_ROLES_WAIT_MS', setup: config(VALID), argv: ['bootstrap', '--env', 'dev', '--ci', 'github', '--repo', 'acme/shop', '--yes'], env: { TAPCTL_CI_ROLES_WAIT_MS: '15m' }, exit: 2, says: /TAPCTL_CI_ROLES_WAIT_MS/ },
  { name: 'ci init --force through a symlinked workflow', setup: (d) => { config(VALID)(d); mkdirSync(join(d, '.github', 'workflows'), { recursive: true }); symlinkSync(join(d, 'elsewhere.yml'), join(d, '.github', 'workflows', 'tapctl.yml')); }, argv: ['ci', 'init', 'github', '--force'], exit: 2, says: /ci init will not write through a symlink: \.github\/workflows\/tapctl\.yml/ },
  { name: 'bootstrap --ci without --yes or a terminal', setup: config(VALID), argv: ['bootstrap', '--env', 'dev', '--ci', 'github', '--repo', 'acme/shop'], env: { CI: 'true', GITHUB_ACTIONS: 'true' }, exit: 3, says: /bootstrap --ci creates IAM roles a CI pipeline can assume: that needs approval, and there is no terminal to ask/ },
];

let n = 0;
function caseDir(c: Case): string {
  const dir = join(root, `case-${++n}`);
  mkdirSync(dir);
  c.setup?.(dir);
  return dir;
}

async function run(c: Case, json: boolean): Promise<CliRun & { ms: number }> {
  const dir = caseDir(c);
  const argv = json ? [...c.argv, '--json'] : (c.humanArgv ?? c.argv);
  const started = Date.now();
  const r = await spawnTapctl(argv, { cwd: dir, env: cleanEnv(c.env ?? {}), timeoutMs: 30_000 });
  return { ...r, ms: Date.now() - started };
}

function clean(r: CliRun): void {
  expect(DOCUMENTED).toContain(r.code);
  // A secret given the wrong way is refused without repeating it.
  expect(r.stdout + r.stderr).not.toMatch(/hunter2-secret|sk_live_0123456789/);
  expect(r.stdout + r.stderr).not.toMatch(/internal error|this is a bug/i);
  expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  expect(r.stdout.length + r.stderr.length).toBeLessThan(MAX_OUTPUT);
}

describe('the bad-input corpus (spawned binary)', () => {
  it.each(CASES)('$name (human)', async (c) => {
    const r = await run(c, false);
    expect(r.code, r.stderr).toBe(c.exit);
    clean(r);
    expect(r.ms).toBeLessThan(25_000);
    const failures = r.stderr.split('\n').filter((l) => l.startsWith('✖'));
    expect(failures).toHaveLength(c.exit === 0 ? 0 : 1);
    expect(r.stdout + r.stderr).toMatch(c.says);
  });

  it.each(CASES)('$name (--json)', async (c) => {
    const r = await run(c, true);
    expect(r.code, r.stderr).toBe(c.exit);
    clean(r);
    const lines = r.stdout.trimEnd().split('\n');
    const last = JSON.parse(lines.at(-1)!);
    for (const line of lines) expect(JSON.parse(line).type).toEqual(expect.any(String));
    expect(lines.filter((l) => JSON.parse(l).type === 'result')).toHaveLength(1);
    expect(last).toMatchObject({ type: 'result', ok: c.exit === 0 });
    if (c.exit !== 0) {
      expect(last.error.exitCode).toBe(c.exit);
      expect(JSON.stringify(last.error) + r.stderr).toMatch(c.says);
    }
  });
});
