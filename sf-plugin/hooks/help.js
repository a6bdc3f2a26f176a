'use strict';
// `sf logik ... --help` shows logik-refresh's own help for that command, not sf's page for the
// pass-through command (sf answers --help before any command runs, so this is an init hook).

const { run } = require('../lib/run.js');

module.exports = async function help(options) {
  if (options.id !== 'logik') return;
  const end = options.argv.indexOf('--');
  const flags = end === -1 ? options.argv : options.argv.slice(0, end);
  if (!flags.includes('--help') && !flags.includes('-h')) return;
  process.exit(await run(options.argv));
};
