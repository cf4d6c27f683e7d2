#!/usr/bin/env node
// The command line, from the built JavaScript so it starts fast (npm run build makes it).
'use strict';
const path = require('node:path');
const fs = require('node:fs');
const entry = path.join(__dirname, '..', 'dist', 'main', 'cli', 'index.js');
if (!fs.existsSync(entry)) {
  console.error('marginalia: not built yet. Run "npm run build" (npm install does it) and try again.');
  process.exit(1);
}
require(entry)
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
