#!/usr/bin/env node
'use strict';
// CommonJS, like the bundle it runs (scripts/lib/to-commonjs.js): an ES module here would start Node's ES module
// loader, which is what the bundle avoids. Node >= 22.1 keeps the compiled code between runs (faster start); Node 20
// has no compile cache.
require('node:module').enableCompileCache?.();
require('../dist/bundle/tapctl.js');
