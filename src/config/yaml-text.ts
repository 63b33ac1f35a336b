/**
 * yaml for the commands that need it only sometimes (the config printer, the config cache's check), in a module of
 * its own that imports yaml statically: a dynamic import of the yaml package loses its named exports once bundled
 * (esbuild gives a CommonJS package split into its own chunk only a default export, so `parse` would be undefined),
 * and loading it here keeps yaml out of every other command's start-up. Import this module dynamically instead.
 */
import { parse, stringify } from 'yaml';

/** The YAML of `tapctl config`. */
export const toYaml = (value: unknown): string => stringify(value, { lineWidth: 0 });

/** Parses a config file's text; bounded aliases, as the loader (a billion-laughs file is an error, not a hang). */
export const parseYaml = (text: string, maxAliasCount: number): unknown => parse(text, { maxAliasCount });
