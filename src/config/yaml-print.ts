/**
 * The YAML printer of `tapctl config`, in a module of its own that `config` loads with import() (yaml stays out of
 * every other command's start-up; src/config/yaml-text.ts says why not a dynamic import of the package).
 *
 * A Document, not yaml's `stringify`: for a plain value that is what `stringify(value, options)` does (yaml's
 * public-api.js), and the bundle takes Document from its own module (scripts/bundle.js, yamlPrinterAlone), without
 * yaml's parser: `config` then loads 67 KB of yaml instead of 130.
 */
import { Document } from 'yaml';

/** The YAML of `tapctl config`: lines never folded. */
export const toYaml = (value: unknown): string => new Document(value).toString({ lineWidth: 0 });
