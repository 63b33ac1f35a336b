// Generates the JSON Schema that editors use for tapctl.config.yaml, from the zod schema (run by `npm run build`).
import { mkdirSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigFileSchema } from '../dist/config/schema.js';

const schema = z.toJSONSchema(ConfigFileSchema, { io: 'input', unrepresentable: 'any' });
schema.title = 'tapctl.config.yaml';
schema.$id = 'https://tapctl.dev/schema/tapctl.config.schema.json';
mkdirSync(new URL('../schema/', import.meta.url), { recursive: true });
writeFileSync(new URL('../schema/tapctl.config.schema.json', import.meta.url), JSON.stringify(schema, null, 2) + '\n');
