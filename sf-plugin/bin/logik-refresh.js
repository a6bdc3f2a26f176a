#!/usr/bin/env node
'use strict';
// `logik-refresh` on PATH after `npm install -g logik-refresh-sf-plugin`: runs this platform's
// binary (from its optional dependency) with the same arguments, input, output and exit code.

require('../lib/run.js')
  .run(process.argv.slice(2))
  .then((code) => process.exit(code));
