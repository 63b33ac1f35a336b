/**
 * The YAML printer of `tapctl config`, in a module of its own that imports yaml statically: a dynamic
 * `import('yaml')` loses the package's named exports once bundled (esbuild gives a CommonJS package split into its
 * own chunk only a default export), and loading it here keeps yaml out of every other command's start-up.
 */
import { stringify } from 'yaml';

export const toYaml = (value: unknown): string => stringify(value, { lineWidth: 0 });
