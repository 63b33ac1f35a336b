#!/usr/bin/env node
'use strict';
// CommonJS, like the bundle it runs (scripts/lib/to-commonjs.js): an ES module here would start Node's ES module
// loader, which is what the bundle avoids. The bundle's compiled code is kept between runs, in a folder of this
// user's (src/cli/code-cache.ts): by Node's own compile cache from Node 22.1, by tapctl's before.
require('../dist/bundle/code-cache.js').installBundleCodeCache(require('node:path').join(__dirname, '..', 'dist', 'bundle'));
require('../dist/bundle/tapctl.js');
