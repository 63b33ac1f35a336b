/** The JSON Schema and the config reference ship with the package: they must match the zod schema. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { ConfigFileSchema, SettingsSchema } from '../../src/config/schema.js';

const read = (p: string) => readFileSync(new URL(`../../${p}`, import.meta.url), 'utf8');
// zod/mini keeps a description in the global registry only (classic zod also had a `.description` getter for it).
const description = (schema: z.core.$ZodType) => z.globalRegistry.get(schema)?.description;

describe('generated schema artifacts', () => {
  it('schema/tapctl.config.schema.json is generated from the current zod schema', () => {
    const shipped = JSON.parse(read('schema/tapctl.config.schema.json'));
    const fresh = z.toJSONSchema(ConfigFileSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
    expect(shipped.properties).toEqual(fresh.properties);
  });

  it('every setting has a description and appears in docs/config-reference.md', () => {
    const doc = read('docs/config-reference.md');
    for (const [section, schema] of Object.entries(SettingsSchema.shape)) {
      expect(description(schema), section).toBeTruthy();
      const inner = (schema as any).def.innerType ?? schema;
      for (const [key, field] of Object.entries((inner.shape ?? {}) as Record<string, z.core.$ZodType>)) {
        expect(description(field), `${section}.${key}`).toBeTruthy();
        expect(doc).toContain(`\`${section}.${key}\``);
      }
    }
  });
});
