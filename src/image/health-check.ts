/**
 * Can the image run its container health check? ECS runs a CMD-SHELL health check as `/bin/sh -c "<command>"`
 * inside the container (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_HealthCheck.html), so the
 * image needs /bin/sh and every program the command calls. tapctl's default calls curl; a distroless image has
 * no shell, an alpine one has wget (busybox) but no curl. A check that cannot run marks every task unhealthy and
 * the rollout fails, so push-image warns, from the image's file list (image-files.ts), never by running it.
 */
import { hasPath, type ImageFiles } from './image-files.js';

/** Shell words that are no programs to look for. */
const BUILTINS = new Set(['exit', 'true', 'false', 'test', '[', '[[', 'echo', 'printf', ':', 'cd', 'set', 'return', 'kill', 'exec', 'command', '!']);

/** The programs a shell command calls: the first word of each part between ||, &&, ;, | (env assignments skipped). */
export function programsOf(command: string): string[] {
  const out: string[] = [];
  for (const part of command.split(/\|\||&&|;|\|/)) {
    const words = part.trim().split(/\s+/).filter(Boolean);
    // The command word: the first one that is not a VAR=value assignment; a builtin's part calls no program.
    const word = words.find((w) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(w))?.replace(/^["']|["']$/g, '');
    if (word && !BUILTINS.has(word) && !out.includes(word)) out.push(word);
  }
  return out;
}

function found(files: ImageFiles, program: string): boolean {
  if (program.includes('/')) return hasPath(files, program);
  return files.searchPath.some((dir) => hasPath(files, `${dir}/${program}`));
}

export interface HealthCheckFinding {
  /** What is missing: "/bin/sh" or the program's name. */
  readonly missing: string;
  readonly message: string;
}

/** What the image lacks to run `command` as a CMD-SHELL health check (empty: it can run it). */
export function healthCheckFindings(command: string, files: ImageFiles): HealthCheckFinding[] {
  const url = /https?:\/\/\S+/.exec(command)?.[0];
  if (!hasPath(files, '/bin/sh')) {
    return [
      {
        missing: '/bin/sh',
        message: `the container health check is a shell command (CMD-SHELL: ${command}), but the image has no /bin/sh (a distroless or scratch image?): every task would be marked unhealthy; set container.healthCheckCommand to a command the image can run, or build from an image with a shell`,
      },
    ];
  }
  return programsOf(command)
    .filter((p) => !found(files, p))
    .map((p) => {
      const wget = p === 'curl' && found(files, 'wget') && url ? `; it has wget: container.healthCheckCommand: "wget -q -O /dev/null ${url} || exit 1"` : '';
      return {
        missing: p,
        message: `the container health check runs ${p} (${command}), which the image does not have (searched ${files.searchPath.join(':')}): every task would be marked unhealthy${wget || `; install ${p} in the Dockerfile or set container.healthCheckCommand`}`,
      };
    });
}
