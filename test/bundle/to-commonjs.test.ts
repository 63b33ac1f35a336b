/**
 * The bundle's last step (scripts/lib/to-commonjs.js): ES module files printed again as CommonJS that run as they
 * did, or a build that fails naming what has no CommonJS form. The built bundle itself is checked by
 * test/e2e/startup-imports.test.ts (it starts without Node's ES module loader).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

type ToCommonJs = (o: { dir: string; options: Record<string, unknown>; root: string }) => Promise<string[]>;
const { toCommonJs } = (await import(new URL('../../scripts/lib/to-commonjs.js', import.meta.url).href)) as { toCommonJs: ToCommonJs };
const OPTIONS = { target: 'node20.19', minifyWhitespace: true, minifySyntax: true };

let root: string;
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** A project folder with the given bundle files in dist/bundle/ and packages in node_modules/. */
function project(files: Record<string, string>, packages: Record<string, Record<string, string>> = {}): string {
  root = mkdtempSync(join(tmpdir(), 'tapctl-cjs-'));
  writeFileSync(join(root, 'package.json'), '{ "type": "module" }\n');
  for (const [name, pkg] of Object.entries(packages)) {
    for (const [file, text] of Object.entries(pkg)) {
      mkdirSync(join(root, 'node_modules', name), { recursive: true });
      writeFileSync(join(root, 'node_modules', name, file), text);
    }
  }
  mkdirSync(join(root, 'dist', 'bundle'), { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(root, 'dist', 'bundle', file), text);
  return join(root, 'dist', 'bundle');
}

describe('toCommonJs', () => {
  it('static and lazy imports, exports and import.meta.url work as they did, as CommonJS', async () => {
    const dir = project({
      'entry.js': [
        'import { greet } from "./kernel.js";',
        'console.log(greet(), new URL("../x", import.meta.url).href);',
        'import("./lazy.js").then(({ lazy }) => console.log(lazy));',
      ].join('\n'),
      'kernel.js': 'export function greet() { return "hello"; }\n',
      'lazy.js': 'import { greet } from "./kernel.js";\nexport const lazy = greet() + " lazily";\n',
    });

    await toCommonJs({ dir, options: OPTIONS, root });

    expect(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))).toEqual({ type: 'commonjs' });
    expect(readFileSync(join(dir, 'entry.js'), 'utf8')).not.toMatch(/\bimport\b/);
    const r = spawnSync(process.execPath, [join(dir, 'entry.js')], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`hello ${pathToFileURL(join(root, 'dist', 'x')).href}\nhello lazily\n`);
  });

  it('a lazily imported package is required, and the packages are named', async () => {
    const dir = project(
      { 'entry.js': 'import("dual").then(({ name }) => console.log(name));\n' },
      { dual: { 'package.json': '{ "name": "dual", "exports": { "import": "./index.mjs", "require": "./index.cjs" } }', 'index.mjs': 'export const name = "esm";\n', 'index.cjs': 'exports.name = "cjs";\n' } },
    );

    expect(await toCommonJs({ dir, options: OPTIONS, root })).toEqual(['dual']);
    expect(spawnSync(process.execPath, [join(dir, 'entry.js')], { encoding: 'utf8' }).stdout).toBe('cjs\n');
  });

  it('refuses a package with no CommonJS entry, naming it', async () => {
    const dir = project(
      { 'entry.js': 'import("esm-only").then(console.log);\n' },
      { 'esm-only': { 'package.json': '{ "name": "esm-only", "type": "module", "exports": { "import": "./index.js" } }', 'index.js': 'export default 1;\n' } },
    );
    await expect(toCommonJs({ dir, options: OPTIONS, root })).rejects.toThrow(/imports 'esm-only' lazily, which has no CommonJS entry/);
  });

  it('refuses top-level await, naming the file', async () => {
    const dir = project({ 'entry.js': 'const code = await Promise.resolve(0);\nprocess.exitCode = code;\n' });
    await expect(toCommonJs({ dir, options: OPTIONS, root })).rejects.toThrow(/entry\.js: .*[Tt]op-level await/);
  });

  it('refuses import.meta beyond import.meta.url', async () => {
    const dir = project({ 'entry.js': 'console.log(import.meta.dirname);\n' });
    await expect(toCommonJs({ dir, options: OPTIONS, root })).rejects.toThrow(/entry\.js uses import\.meta beyond import\.meta\.url/);
  });
});
