// Preload (node --require) for tests that check how Node starts a program: at exit, writes the list of Node's own
// internal modules the process loaded (process.moduleLoadList) to $NODE_INTERNALS_FILE, one per line.
'use strict';
const file = process.env.NODE_INTERNALS_FILE;
if (file) process.on('exit', () => require('node:fs').writeFileSync(file, process.moduleLoadList.join('\n') + '\n'));
