'use strict';
// Runs logik-refresh with the given arguments: same stdin, stdout and stderr (its JSON passes
// through untouched), and resolves to its exit code. The binary: LOGIK_REFRESH_BIN, else the one
// in this platform's package (an optional dependency npm installed next to this one), else
// logik-refresh on PATH (sf only: the npm `bin` wrapper would find itself there).

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const { constants } = require('node:os');
const path = require('node:path');
const platforms = require('../platforms.json');

// This machine's C library on Linux (the musl and glibc builds are different packages).
function libc() {
  if (process.platform !== 'linux') return undefined;
  const header = process.report?.getReport?.()?.header;
  return header?.glibcVersionRuntime ? 'glibc' : 'musl';
}

// The binaries of this platform's packages that npm installed, the one for this libc first.
function packagedBinaries() {
  const found = [];
  for (const p of platforms) {
    if (p.os !== process.platform || p.cpu !== process.arch) continue;
    let dir;
    try {
      dir = path.dirname(require.resolve(`${p.package}/package.json`));
    } catch {
      continue;
    }
    const bin = path.join(dir, 'bin', p.exe);
    if (fs.existsSync(bin)) found.push({ bin, libc: p.libc });
  }
  if (found.length > 1) {
    const mine = libc();
    found.sort((a, b) => (b.libc === mine) - (a.libc === mine));
  }
  return found.map((f) => f.bin);
}

function binary({ searchPath = true } = {}) {
  if (process.env.LOGIK_REFRESH_BIN) return process.env.LOGIK_REFRESH_BIN;
  const [packaged] = packagedBinaries();
  if (packaged) return packaged;
  return searchPath ? 'logik-refresh' : undefined;
}

function wantsJson(argv) {
  const end = argv.indexOf('--');
  const flags = end === -1 ? argv : argv.slice(0, end);
  return flags.includes('--json') || (process.env.SF_CONTENT_TYPE || '').toUpperCase() === 'JSON';
}

// The same error shape and text as logik-refresh's own.
function notFound(argv, bin, err) {
  const why = !bin
    ? `no binary for ${process.platform}-${process.arch} in this install`
    : err.code === 'ENOENT'
      ? 'not found'
      : err.message;
  const error = {
    status: 1,
    name: 'LogikRefreshNotFoundError',
    message: `Could not run ${bin || 'logik-refresh'}: ${why}.`,
    exitCode: 1,
    code: 'LogikRefreshNotFoundError',
    actions: [
      `Reinstall so npm adds this platform's package (sf plugins install logik-refresh-sf-plugin); supported: ${platforms.map((p) => `${p.os}-${p.cpu}${p.libc ? `-${p.libc}` : ''}`).join(', ')}.`,
      'Or install logik-refresh on PATH (from its source folder: cargo install --locked --path .).',
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

function run(argv, options) {
  const bin = binary(options);
  if (!bin) return Promise.resolve(notFound(argv, bin));
  return new Promise((resolve) => {
    const child = spawn(bin, argv, { stdio: 'inherit' });
    // Ctrl-C reaches both processes; a signal sent to node alone is passed on. Either way the
    // binary decides how to stop, and node ends with its exit code.
    const forward = (signal) => child.kill(signal);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    const done = (code) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve(code);
    };
    child.on('error', (err) => done(notFound(argv, bin, err)));
    child.on('exit', (code, signal) => done(code ?? 128 + (constants.signals[signal] || 0)));
  });
}

module.exports = { run, binary };
