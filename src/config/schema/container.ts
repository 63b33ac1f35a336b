/** Schema section `container`: The Fargate service, its image build and auto-scaling (tapstack.md §5). */
import * as z from 'zod';
import { APP_SECRET_NAME, APP_SECRET_NAME_RULE, MAX_APP_SECRET_NAME } from '../app-secret-names.js';
import { strict } from './common.js';

const ENV_VAR = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected the name of an environment variable');

/** Where the builder reads one build secret from: an environment variable (by name) or a file (by path). */
export const BuildSecretSchema = z.union([ENV_VAR, strict({ env: ENV_VAR }), strict({ file: z.string().min(1, 'expected a file path') })]);
export type BuildSecretSetting = z.infer<typeof BuildSecretSchema>;

export const ContainerSchema = strict({
  port: z.number().int().min(1).max(65535).default(3000).describe('Port the container listens on.'),
  cpu: z.number().int().default(1024).describe('Fargate task CPU units (256, 512, 1024, 2048, 4096, 8192, 16384).'),
  memory: z.number().int().default(2048).describe('Fargate task memory in MiB; must be valid for the chosen cpu.'),
  architecture: z
    .enum(['x86_64', 'arm64'])
    .default('x86_64')
    .describe('CPU architecture of the task; push-image builds for linux/amd64 or linux/arm64 to match.'),
  desiredCount: z
    .number()
    .int()
    .min(0)
    .default(2)
    .describe(
      'Ignored, kept so existing configs validate. Auto-scaling owns the task count between minTasks and maxTasks ' +
        '(spec: 2 tasks, min 2, max 10), so a deploy never resets a service that scaled out during a peak.',
    ),
  minTasks: z.number().int().min(0).default(2).describe('Auto-scaling minimum.'),
  maxTasks: z.number().int().min(1).default(10).describe('Auto-scaling maximum.'),
  cpuTargetPercent: z
    .number()
    .min(1)
    .max(100)
    .default(50)
    .describe('Target-tracking CPU utilisation. Spec conflict: 50 vs 70; tapctl scales at 50 and alarms at 70, so an alarm means scaling could not keep up.'),
  memoryTargetPercent: z
    .number()
    .min(1)
    .max(100)
    .default(70)
    .describe('Target-tracking memory utilisation. Spec conflict: 70 vs 80; tapctl scales at 70 and alarms at 80.'),
  scaleInCooldownSeconds: z.number().int().min(0).default(60).describe('Cooldown after a scale-in.'),
  scaleOutCooldownSeconds: z.number().int().min(0).default(60).describe('Cooldown after a scale-out.'),
  healthCheckPath: z.string().startsWith('/').default('/health').describe('HTTP path the load balancer and the container health check probe.'),
  healthCheckGraceSeconds: z.number().int().min(0).default(60).describe('Seconds ECS ignores failing health checks after a task starts.'),
  healthCheckCommand: z
    .string()
    .optional()
    .describe("Container health check (CMD-SHELL). Default: 'curl -f http://localhost:<port><healthCheckPath> || exit 1'; the image must contain curl."),
  image: strict({
    repository: z
      .string()
      .optional()
      .describe("Image repository of a pinned image. Default: the stack's own ECR repository (where push-image pushes)."),
    tag: z
      .string()
      .optional()
      .describe(
        'Pins the image tag to run (you write it: push-image never edits the config, it records releases in the ledger). ' +
          "Deployed by the digest ECR holds for it at deploy time; never latest or the bootstrap placeholder's tag.",
      ),
    digest: z
      .string()
      .regex(/^sha256:[a-f0-9]{64}$/, 'expected sha256:<64 hex characters>')
      .optional()
      .describe('Pins the image digest to run (wins over tag; with both, the tag must be on that digest).'),
  })
    .default({})
    .describe('The image the service runs. Until one is pushed, the first deploy runs zero tasks.'),
  dockerfile: z.string().default('Dockerfile').describe('Dockerfile path, relative to the project folder.'),
  context: z.string().default('.').describe('Build context, relative to the project folder.'),
  buildArgs: z
    .record(z.string(), z.string())
    .default({})
    .describe('Plain build arguments: they are shown by tapctl config, passed on the command line and kept in the image history. A secret-looking name or value is refused (rule B1): use buildSecrets.'),
  buildSecrets: z
    .record(z.string().regex(/^[A-Za-z0-9_.-]+$/, 'expected a secret id: letters, digits, _ . -'), BuildSecretSchema)
    .default({})
    .describe(
      'Build secrets (BuildKit / buildah --secret), read in the Dockerfile with RUN --mount=type=secret,id=<id>: id -> the name of an ' +
        'environment variable that holds the value (or { env: NAME }), or { file: path } relative to the project folder. The builder reads ' +
        'the value itself: it is never on the command line, shown or stored.',
    ),
  secrets: z
    .array(z.string().max(MAX_APP_SECRET_NAME, `at most ${MAX_APP_SECRET_NAME} characters`).regex(APP_SECRET_NAME, `expected ${APP_SECRET_NAME_RULE}`))
    .default([])
    .describe(
      'App secrets the container receives as environment variables of these names, from Secrets Manager (tapctl/<project>/<suffix>/<NAME>, ' +
        'set with tapctl secrets set): ECS injects each by its ARN when a task starts, never as a plain value in the task definition. ' +
        'A deploy that runs tasks checks each exists.',
    ),
  exec: z
    .boolean()
    .default(false)
    .describe(
      'Allow tapctl exec (ECS Exec) into running tasks: turns on enableExecuteCommand and gives the task role the ssmmessages permissions ' +
        'it needs. Off by default; a warning in production (a shell in a production task reads its data and secrets).',
    ),
  builder: z
    .enum(['auto', 'docker', 'podman', 'buildah', 'finch'])
    .default('auto')
    .describe('Container builder for push-image; auto tries docker, podman, buildah, finch in that order.'),
});
