/**
 * A resolved environment is frozen all the way down, so no command can change a fact another one reads after it.
 * Zod-free on purpose: the config cache (cache.ts) uses it on the fast path.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
