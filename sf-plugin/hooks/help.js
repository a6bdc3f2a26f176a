'use strict';
// `sf logik ... --help` shows logik-refresh's own help for that command (its usage lines saying
// `sf logik ...`), not sf's page: sf answers --help before any command runs, so this is an init
// hook. `sf help logik <command>` shows sf's page, from the manifest.

const { run } = require('../lib/run.js');

module.exports = async function help(options) {
  const id = options.id || '';
  if (id !== 'logik' && !id.startsWith('logik:')) return;
  const end = options.argv.indexOf('--');
  const flags = end === -1 ? options.argv : options.argv.slice(0, end);
  if (!flags.includes('--help') && !flags.includes('-h')) return;
  process.exit(await run([...id.split(':').slice(1), ...options.argv], { sf: true }));
};
