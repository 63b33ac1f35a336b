/**
 * Keys that come from a user (environment names, tags, build arguments, parameter names, any YAML mapping key)
 * end up as property names of JavaScript objects. Three names have a meaning of their own there: `__proto__`
 * sets an object's prototype (an environment of that name used to vanish without a word), `constructor` and
 * `prototype` are found on every object. tapctl refuses them as names wherever a user gives one, and looks
 * every user-given key up with `own`, never with a bare `map[key]`.
 */
export const RESERVED_KEYS: readonly string[] = ['__proto__', 'constructor', 'prototype'];

export function isReservedKey(key: string): boolean {
  return RESERVED_KEYS.includes(key);
}

/** The message for a reserved name, naming it. */
export function reservedKeyMessage(key: string): string {
  return `'${key}' cannot be used as a name: JavaScript gives it a meaning of its own (so do ${RESERVED_KEYS.filter((k) => k !== key).join(' and ')})`;
}

/** `map[key]` when the map itself has the key; never a property inherited from Object.prototype. */
export function own<T>(map: Readonly<Record<string, T>> | NodeJS.ProcessEnv, key: string): T | undefined {
  return Object.hasOwn(map, key) ? (map as Record<string, T>)[key] : undefined;
}

/** Every path (list of keys) in `value` whose last key is reserved, depth first. */
export function reservedKeyPaths(value: unknown, path: readonly (string | number)[] = []): Array<Array<string | number>> {
  if (Array.isArray(value)) return value.flatMap((v, i) => reservedKeyPaths(v, [...path, i]));
  if (typeof value !== 'object' || value === null) return [];
  return Object.keys(value).flatMap((k) => (isReservedKey(k) ? [[...path, k]] : reservedKeyPaths((value as Record<string, unknown>)[k], [...path, k])));
}
