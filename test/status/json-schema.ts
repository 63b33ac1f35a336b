/**
 * A small JSON Schema checker for the keywords docs/status-schema.json uses (type, const, enum, properties,
 * required, additionalProperties, items, oneOf, $ref, pattern, minimum). `strict` treats an object schema with
 * `properties` and no `additionalProperties` as closed, so a field the code emits but the schema does not
 * document fails the test (the published schema stays open: fields may be added within a version).
 */
type Schema = Record<string, any>;

export interface CheckOptions {
  readonly strict?: boolean;
}

export function validate(root: Schema, value: unknown, options: CheckOptions = {}): string[] {
  const errors: string[] = [];
  check(root, root, value, '$', errors, options);
  return errors;
}

function resolveRef(root: Schema, ref: string): Schema {
  if (!ref.startsWith('#/')) throw new Error(`unsupported $ref ${ref}`);
  return ref
    .slice(2)
    .split('/')
    .reduce<Schema>((node, key) => {
      const next = node[key];
      if (next === undefined) throw new Error(`dangling $ref ${ref}`);
      return next;
    }, root);
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function check(root: Schema, schema: Schema, value: unknown, path: string, errors: string[], o: CheckOptions): void {
  if (schema.$ref) return check(root, resolveRef(root, schema.$ref), value, path, errors, o);
  if (schema.oneOf) {
    const passing = (schema.oneOf as Schema[]).filter((s) => {
      const e: string[] = [];
      check(root, s, value, path, e, o);
      return e.length === 0;
    });
    if (passing.length !== 1) errors.push(`${path}: matches ${passing.length} of the oneOf alternatives, expected exactly 1`);
    return;
  }
  if ('const' in schema && value !== schema.const) errors.push(`${path}: expected ${JSON.stringify(schema.const)}, got ${JSON.stringify(value)}`);
  if (schema.enum && !(schema.enum as unknown[]).includes(value)) errors.push(`${path}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
  if (schema.type) {
    const types: string[] = Array.isArray(schema.type) ? schema.type : [schema.type];
    const actual = typeOf(value);
    if (!types.includes(actual) && !(actual === 'integer' && types.includes('number'))) {
      errors.push(`${path}: expected ${types.join(' or ')}, got ${actual}`);
      return;
    }
  }
  if (typeof value === 'string' && schema.pattern && !new RegExp(schema.pattern).test(value)) errors.push(`${path}: '${value}' does not match ${schema.pattern}`);
  if (typeof value === 'number' && schema.minimum !== undefined && value < schema.minimum) errors.push(`${path}: ${value} < ${schema.minimum}`);
  if (Array.isArray(value) && schema.items) value.forEach((item, i) => check(root, schema.items, item, `${path}[${i}]`, errors, o));
  if (typeOf(value) === 'object' && (schema.properties || schema.additionalProperties !== undefined)) {
    const obj = value as Record<string, unknown>;
    const props: Record<string, Schema> = schema.properties ?? {};
    for (const key of schema.required ?? []) if (!(key in obj)) errors.push(`${path}: missing required '${key}'`);
    for (const [key, v] of Object.entries(obj)) {
      if (props[key]) check(root, props[key], v, `${path}.${key}`, errors, o);
      else if (typeof schema.additionalProperties === 'object') check(root, schema.additionalProperties, v, `${path}.${key}`, errors, o);
      else if (schema.additionalProperties === false || (o.strict && schema.additionalProperties === undefined)) errors.push(`${path}: '${key}' is not in the schema`);
    }
  }
}
