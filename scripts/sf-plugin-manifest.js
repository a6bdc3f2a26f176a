#!/usr/bin/env node
'use strict';
// Writes the sf plugin's oclif.manifest.json and its topics, from the binary's own command tree
// (`LOGIK_REFRESH_SF_PLUGIN=1 logik-refresh command-tree`, whose examples then say `sf logik`):
// one oclif command per runnable command (`logik:org:inspect`, ...) with its summary,
// description, examples, flags and arguments, each loaded from commands/logik.js; one topic per
// command that has commands under it. --json and --flags-dir go in sf's GLOBAL flags group, as
// sf's own commands show them. scripts/package-npm.sh runs it on the copy of sf-plugin/ it packs.
//
//   node scripts/sf-plugin-manifest.js TREE.json PLUGIN_DIR

const fs = require('node:fs');
const path = require('node:path');

const [treeFile, pluginDir] = process.argv.slice(2);
if (!treeFile || !pluginDir) {
  process.stderr.write('usage: sf-plugin-manifest.js TREE.json PLUGIN_DIR\n');
  process.exit(2);
}
const tree = JSON.parse(fs.readFileSync(treeFile, 'utf8'));
const pjsonPath = path.join(pluginDir, 'package.json');
const pjson = JSON.parse(fs.readFileSync(pjsonPath, 'utf8'));
if (tree.version !== pjson.version) {
  process.stderr.write(`sf-plugin-manifest: the binary is ${tree.version}, the plugin ${pjson.version}\n`);
  process.exit(1);
}
const TOPIC = 'logik';
const GLOBAL = new Set(['json', 'flags-dir']);
const id = (words) => [TOPIC, ...words].join(':');

function flag(f) {
  const out = { name: f.name };
  if (f.char) out.char = f.char;
  out.summary = f.summary;
  if (f.description) out.description = f.description;
  if (GLOBAL.has(f.name)) out.helpGroup = 'GLOBAL';
  if (f.hidden) out.hidden = true;
  out.required = f.required;
  if (f.type === 'boolean') {
    Object.assign(out, { allowNo: false, type: 'boolean' });
  } else {
    Object.assign(out, { hasDynamicHelp: false, multiple: f.multiple, type: 'option' });
    if (f.default !== null && f.default !== undefined) out.default = f.default;
    if (f.options.length > 0) out.options = f.options;
    if (f.valueName) out.helpValue = `<${f.valueName}>`;
  }
  return [f.name, out];
}

function command(c) {
  const args = Object.fromEntries(
    c.args.map((a) => [
      a.name,
      {
        description: a.description,
        multiple: a.multiple,
        name: a.name,
        required: a.required,
        ...(a.options.length > 0 ? { options: a.options } : {}),
      },
    ]),
  );
  return {
    aliases: [],
    args,
    ...(c.description ? { description: c.description } : {}),
    examples: c.examples,
    flags: Object.fromEntries(c.flags.map(flag)),
    hasDynamicHelp: false,
    hidden: false,
    hiddenAliases: [],
    id: id(c.path),
    pluginAlias: pjson.name,
    pluginName: pjson.name,
    pluginType: 'core',
    // logik-refresh checks its own arguments; sf passes them on as they are.
    strict: false,
    summary: c.summary,
    enableJsonFlag: true,
    isESM: false,
    relativePath: ['commands', 'logik.js'],
  };
}

const commands = {};
const topics = {};
for (const c of tree.commands) {
  // The root is always a command: `sf logik --version`, and any command line passes through.
  if (c.runnable || c.path.length === 0) commands[id(c.path)] = command(c);
  if (c.hasSubcommands) {
    let level = topics;
    const words = [TOPIC, ...c.path];
    for (const [i, word] of words.entries()) {
      level[word] ??= {};
      if (i === words.length - 1) level[word].description = c.summary;
      else level = level[word].subtopics ??= {};
    }
  }
}
pjson.oclif.topics = topics;
fs.writeFileSync(pjsonPath, `${JSON.stringify(pjson, null, 2)}\n`);
fs.writeFileSync(
  path.join(pluginDir, 'oclif.manifest.json'),
  `${JSON.stringify({ commands, version: pjson.version }, null, 2)}\n`,
);
