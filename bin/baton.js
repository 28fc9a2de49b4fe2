#!/usr/bin/env node
'use strict';
// The compiled CLI lives in dist/; `npm run build` (run by `npm start` and `npm test`) makes it.
try {
  require.resolve('../dist/src/cli/index.js');
} catch {
  console.error('baton: the CLI is not built yet. Run `npm run setup` (or `npm run build`) first.');
  process.exit(1);
}
require('../dist/src/cli/index.js');
