/**
 * src/cli/plain-text.ts, and the rule it exists for: tapctl's own code never calls ICU (toLocaleString,
 * localeCompare, Intl): its first use loads the locale data (~10 ms of CPU at every start that reaches it: `--help`
 * paid it for one option's text) and orders text by the user's locale.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { byCodeUnit, byName, withThousands } from '../../src/cli/plain-text.js';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
const ICU = /\.toLocale\w*String\(|\.localeCompare\(|\bIntl\./;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('plain text without ICU', () => {
  it('groups digits the en-US way', () => {
    expect([0, 999, 1000, 51_200, 1_000_000, 10_000].map(withThousands)).toEqual(['0', '999', '1,000', '51,200', '1,000,000', '10,000']);
  });

  it('orders by code unit, the same in every locale', () => {
    expect(['b', 'B', 'a', 'A', 'ä', '10', '9'].sort(byCodeUnit)).toEqual(['10', '9', 'A', 'B', 'a', 'b', 'ä']);
    expect(byCodeUnit('x', 'x')).toBe(0);
  });

  it('orders names with case aside, then by code unit', () => {
    expect(['Dockerfile', 'app/server.js', '.gitignore', 'SNS', 'SecretsManager', 'b', 'B'].sort(byName)).toEqual(['.gitignore', 'app/server.js', 'B', 'b', 'Dockerfile', 'SecretsManager', 'SNS']);
  });

  it('no file under src/ calls toLocaleString, localeCompare or Intl', () => {
    const offenders = sourceFiles(SRC).flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .flatMap((line, i) => (ICU.test(line) && !line.trimStart().startsWith('*') && !line.trimStart().startsWith('//') ? [`${relative(SRC, file)}:${i + 1}`] : [])),
    );
    expect(offenders, 'use withThousands / byCodeUnit from src/cli/plain-text.ts').toEqual([]);
  });
});
