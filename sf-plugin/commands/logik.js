'use strict';
// `sf logik <command> [flags]` runs `logik-refresh <command> [flags]`. This one class stands for
// every command: the packaged plugin's oclif.manifest.json (scripts/package-npm.sh makes it from
// the binary's own command tree) lists each one (`logik:org:inspect`, ...) with its flags, help
// and examples, all pointing at this file, and oclif sets `id` to the one typed. A plain class
// with a static run is all oclif needs, so the plugin needs no dependency but its platform
// package.

const { run } = require('../lib/run.js');

class Logik {
  static summary = 'Reconnect a refreshed Salesforce sandbox to its ServiceNow CPQ (Logik.ai) tenant.';

  static description =
    'sf logik <command> runs logik-refresh <command>: every command, flag, exit code and JSON output is the same. sf logik --help lists the commands.';

  static examples = ['sf logik org inspect -o uat --json', 'sf logik run -o uat --runtime-url https://acme-uat.test.logik.io'];

  // Every argument goes to logik-refresh as it is; it checks them.
  static strict = false;

  static async run(argv) {
    const words = (this.id || 'logik').split(':').slice(1);
    process.exitCode = await run([...words, ...argv], { sf: true });
  }
}

module.exports = Logik;
