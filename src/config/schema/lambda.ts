/** Schema section `lambda`: The processor function (tapstack.md §8.1). */
import * as z from 'zod';
import { strict } from './common.js';

export const LambdaSchema = strict({
  runtime: z
    .string()
    .default('nodejs22.x')
    .describe('Processor function runtime. The spec says nodejs18.x, which is end-of-life; retired runtimes are refused.'),
  memoryMb: z.number().int().min(128).max(10240).default(512).describe('Processor function memory (MB).'),
  timeoutSeconds: z.number().int().min(1).max(900).default(30).describe('Processor function timeout (seconds).'),
});
