/**
 * Everything previews do at run time, as one module: the commands and selectEnvironment load it with one
 * import(). One entry point instead of five keeps the bundle's code splitting from cutting the modules every
 * start loads into more chunks (scripts/bundle.js; test/e2e/startup-imports.test.ts).
 */
export { parseLiveBranches } from './branch.js';
export { runEnvCreate } from './create-flow.js';
export { runEnvList } from './list-flow.js';
export { renderCreate, renderList, renderSweep } from './render.js';
export { selectPreview } from './select.js';
export { runEnvSweep } from './sweep-flow.js';
