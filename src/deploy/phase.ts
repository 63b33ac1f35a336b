/** The steps of a deploy as `phase` events (--json) and debug lines; the human output has its own sections. */
import type { CommandContext } from '../cli/context.js';
import { InterruptedError } from '../cli/errors.js';

/**
 * One NDJSON `phase` event and a debug line. A Ctrl-C that came while the last step ran (SDK calls cannot be
 * aborted) stops here, before anything changes.
 */
export function phase(ctx: CommandContext, name: string, message: string): void {
  if (ctx.signal.aborted && name !== 'done') throw new InterruptedError('interrupted; nothing was changed');
  ctx.io.event({ type: 'phase', phase: name, message });
  ctx.io.debug(message);
}
