/**
 * Which AWS SDK package a loaded file is, whether it came from node_modules (run from source) or from the bundle,
 * where each client is a chunk named after its module in src/aws/sdk/ (sts-<hash>.js: src/aws/sdk.ts).
 */
import { readdirSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';

const FACADES = readdirSync(fileURLToPath(new URL('../../src/aws/sdk/', import.meta.url))).map((f) => basename(f, '.ts'));
const CHUNK = new RegExp(`/dist/bundle/(${FACADES.join('|')})-[A-Z0-9]+\\.js$`);

/** '@aws-sdk/client-sts' for node_modules/@aws-sdk/client-sts/... or dist/bundle/sts-ABCD1234.js; else undefined. */
export function sdkPackageOf(file: string): string | undefined {
  const path = file.replace(/\\/g, '/');
  const installed = /node_modules\/(@aws-sdk\/[^/]+)\//.exec(path)?.[1];
  if (installed) return installed;
  const facade = CHUNK.exec(path)?.[1];
  if (!facade) return undefined;
  return facade === 'credential-provider-node' ? '@aws-sdk/credential-provider-node' : `@aws-sdk/client-${facade}`;
}
