#!/usr/bin/env node
// Node >= 22.1 keeps the compiled code of the bundle between runs (faster start); Node 20 has no compile cache.
import module from 'node:module';

module.enableCompileCache?.();
await import('../dist/bundle/tapctl.js');
