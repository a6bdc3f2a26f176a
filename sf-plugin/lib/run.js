'use strict';
// Runs logik-refresh with the given arguments: same stdin, stdout and stderr (its JSON passes
// through untouched), and resolves to its exit code. The binary: LOGIK_REFRESH_BIN when set, else
// the one in this platform's package, installed beside this plugin (its own node_modules, or the
// node_modules folder it sits in) at exactly this plugin's version. Nothing else is searched:
// not PATH, not NODE_PATH, not a node_modules further up. Kept to what a call needs (two small
// JSON reads and a stat) since every `logik-refresh` and `sf logik` call pays for it.

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const self = require('../package.json');
const platforms = require('../platforms.json');

// Set for `sf logik ...`, so the binary's hints say `sf logik ...` (src/protocol/program.rs).
const SF_PLUGIN_ENV = 'LOGIK_REFRESH_SF_PLUGIN';

function platformName(p) {
  return `${p.os}-${p.cpu}${p.libc ? `-${p.libc}` : ''}`;
}

// This machine's C library on Linux: only asked when both builds are installed, or to name the
// missing one (the report is the slow part of a launch).
function libc() {
  const header = process.report?.getReport?.()?.header;
  return header?.glibcVersionRuntime ? 'glibc' : 'musl';
}

// The folders a platform package may be in: the plugin's own node_modules, then the one the
// plugin is in (npm hoists optional dependencies there), and no other.
function besideDirs() {
  const dirs = [path.join(root, 'node_modules')];
  const parent = path.dirname(root);
  if (path.basename(parent) === 'node_modules') dirs.push(parent);
  return dirs;
}

function readVersion(dir) {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).version;
  } catch {
    return undefined;
  }
}

// { bin } for this platform's package beside the plugin, else { problem, wanted } saying why not.
function locate() {
  const mine = platforms.filter((p) => p.os === process.platform && p.cpu === process.arch);
  if (mine.length === 0) return { problem: 'unsupported' };
  const found = [];
  const wrongVersion = [];
  for (const p of mine) {
    for (const dir of besideDirs()) {
      const pkgDir = path.join(dir, p.package);
      const bin = path.join(pkgDir, 'bin', p.exe);
      if (!fs.existsSync(bin)) continue;
      const version = readVersion(pkgDir);
      if (version === self.version) found.push({ bin, p });
      else wrongVersion.push({ p, version, pkgDir });
      break;
    }
  }
  if (found.length === 1) return { bin: found[0].bin };
  const wanted = mine.length === 1 ? mine[0] : mine.find((p) => p.libc === libc()) || mine[0];
  if (found.length > 1) return { bin: (found.find((f) => f.p === wanted) || found[0]).bin };
  const stale = wrongVersion.find((w) => w.p === wanted) || wrongVersion[0];
  if (stale) return { problem: 'version', wanted: stale.p, stale };
  return { problem: 'missing', wanted };
}

function wantsJson(argv) {
  const end = argv.indexOf('--');
  const flags = end === -1 ? argv : argv.slice(0, end);
  return flags.includes('--json') || (process.env.SF_CONTENT_TYPE || '').toUpperCase() === 'JSON';
}

// The same error shape and text as logik-refresh's own.
function notFound(argv, sf, found, err) {
  const reinstall = sf
    ? `sf plugins install ${self.name}@${self.version}`
    : `npm install -g ${self.name}@${self.version}`;
  const supported = platforms.map(platformName).join(', ');
  let message;
  const actions = [];
  const want = found.wanted && `${found.wanted.package}@${self.version}`;
  if (err) {
    message = `Could not run ${found.bin}: ${err.code === 'ENOENT' ? 'not found' : err.message}.`;
    actions.push(`Reinstall: ${reinstall}`);
  } else if (found.problem === 'unsupported') {
    message = `No logik-refresh build for ${process.platform}-${process.arch}; builds exist for ${supported}.`;
    actions.push('Build it from source (cargo install --locked --path . in its folder) and name it: export LOGIK_REFRESH_BIN=/path/to/logik-refresh');
  } else if (found.problem === 'version') {
    message = `${found.stale.pkgDir} is version ${found.stale.version || 'unknown'}, but ${self.name} is ${self.version}: the binary must be ${want}.`;
    actions.push(`Reinstall so npm puts ${want} beside the plugin: ${reinstall}`);
  } else {
    message = `The package ${want} (the logik-refresh binary for ${platformName(found.wanted)}) is not installed beside ${self.name} in ${besideDirs().join(' or ')}.`;
    actions.push(`Reinstall, with optional dependencies (npm skips them with --omit=optional): ${reinstall}`);
  }
  actions.push('Or name a binary you built: export LOGIK_REFRESH_BIN=/path/to/logik-refresh');
  const error = {
    status: 1,
    name: 'LogikRefreshNotFoundError',
    message,
    exitCode: 1,
    code: 'LogikRefreshNotFoundError',
    actions,
    context: 'logik',
    commandName: 'logik',
    warnings: [],
  };
  if (wantsJson(argv)) {
    process.stdout.write(`${JSON.stringify(error, null, 2)}\n`);
  } else {
    const lines = actions.map((a) => `  ${a}`).join('\n');
    process.stderr.write(`Error (${error.name}): ${message}\n\nTry this:\n${lines}\n`);
  }
  return 1;
}

// argv: logik-refresh's arguments; sf: called as `sf logik` (else as `logik-refresh`).
function run(argv, { sf = false } = {}) {
  const found = process.env.LOGIK_REFRESH_BIN ? { bin: process.env.LOGIK_REFRESH_BIN } : locate();
  if (!found.bin) return Promise.resolve(notFound(argv, sf, found));
  // Exactly `sf logik` sets it; `logik-refresh` from npm never passes on one it inherited.
  let env = process.env;
  if (sf) env = { ...env, [SF_PLUGIN_ENV]: '1' };
  else if (SF_PLUGIN_ENV in env) {
    env = { ...env };
    delete env[SF_PLUGIN_ENV];
  }
  return new Promise((resolve) => {
    const child = spawn(found.bin, argv, { stdio: 'inherit', env });
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
    child.on('error', (err) => done(notFound(argv, sf, found, err)));
    child.on('exit', (code, signal) =>
      done(code ?? 128 + (require('node:os').constants.signals[signal] || 0)),
    );
  });
}

module.exports = { run, locate, SF_PLUGIN_ENV };
