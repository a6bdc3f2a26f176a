'use strict';
// Runs logik-refresh with the given arguments: same stdin, stdout and stderr (its JSON passes
// through untouched), and resolves to its exit code. The binary: LOGIK_REFRESH_BIN, else
// logik-refresh on PATH.

const { spawn } = require('node:child_process');
const { constants } = require('node:os');

function binary() {
  return process.env.LOGIK_REFRESH_BIN || 'logik-refresh';
}

function wantsJson(argv) {
  const end = argv.indexOf('--');
  const flags = end === -1 ? argv : argv.slice(0, end);
  return flags.includes('--json') || (process.env.SF_CONTENT_TYPE || '').toUpperCase() === 'JSON';
}

// The same error shape and text as logik-refresh's own.
function notFound(argv, err) {
  const bin = binary();
  const error = {
    status: 1,
    name: 'LogikRefreshNotFoundError',
    message: `Could not run ${bin}: ${err.code === 'ENOENT' ? 'not found' : err.message}.`,
    exitCode: 1,
    code: 'LogikRefreshNotFoundError',
    actions: [
      'Install logik-refresh and put it on PATH (from its source folder: cargo install --path .).',
      'Or name the binary: export LOGIK_REFRESH_BIN=/path/to/logik-refresh',
    ],
    context: 'logik',
    commandName: 'logik',
    warnings: [],
  };
  if (wantsJson(argv)) {
    process.stdout.write(`${JSON.stringify(error, null, 2)}\n`);
  } else {
    const actions = error.actions.map((a) => `  ${a}`).join('\n');
    process.stderr.write(`Error (${error.name}): ${error.message}\n\nTry this:\n${actions}\n`);
  }
  return 1;
}

function run(argv) {
  return new Promise((resolve) => {
    const child = spawn(binary(), argv, { stdio: 'inherit' });
    // Ctrl-C reaches both processes; a signal sent to sf alone is passed on. Either way the
    // binary decides how to stop, and sf ends with its exit code.
    const forward = (signal) => child.kill(signal);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    const done = (code) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve(code);
    };
    child.on('error', (err) => done(notFound(argv, err)));
    child.on('exit', (code, signal) => done(code ?? 128 + (constants.signals[signal] || 0)));
  });
}

module.exports = { run };
