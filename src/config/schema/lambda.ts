/** Schema section `lambda`: The processor function (tapstack.md §8.1). */
import * as z from 'zod/mini';
import { strict } from './common.js';

export const LambdaSchema = strict({
  runtime: z._default(z.string(), 'nodejs22.x').register(z.globalRegistry, {
    description: 'Processor function runtime. The spec says nodejs18.x, which is end-of-life; retired runtimes are refused.',
  }),
  memoryMb: z._default(z.int().check(z.minimum(128), z.maximum(10240)), 512).register(z.globalRegistry, { description: 'Processor function memory (MB).' }),
  timeoutSeconds: z._default(z.int().check(z.minimum(1), z.maximum(900)), 30).register(z.globalRegistry, { description: 'Processor function timeout (seconds).' }),
});
