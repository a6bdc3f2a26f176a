'use strict';
// `sf logik <command> [flags]` runs `logik-refresh <command> [flags]`: every command, flag and
// output of logik-refresh, from inside sf. A plain class with a static run is all oclif needs,
// so the plugin needs no dependency but its platform package.

const { run } = require('../lib/run.js');

class Logik {
  static summary = 'Run logik-refresh from sf: sf logik <command> is logik-refresh <command>.';

  static description =
    'Reconnect a refreshed sandbox to its ServiceNow CPQ (Logik.ai) tenant. Every logik-refresh command, flag, exit code and JSON output works the same here. The binary is LOGIK_REFRESH_BIN, else the one in the package for this platform, else logik-refresh on PATH.';

  static examples = [
    'sf logik org inspect -o uat --json',
    'sf logik run -o uat --runtime-url https://acme-uat.test.logik.io',
    'sf logik step tenant-urls -o uat --runtime-url https://acme-uat.test.logik.io --dry-run',
  ];

  // Every argument goes to logik-refresh as it is.
  static strict = false;

  static async run(argv) {
    process.exitCode = await run(argv);
  }
}

module.exports = Logik;
