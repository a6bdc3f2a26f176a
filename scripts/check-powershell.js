'use strict';
// Parses PowerShell scripts with the tree-sitter PowerShell grammar (PowerShell itself is not
// installed here) and fails on any syntax error: every ERROR or MISSING node is printed as
// file:line:column. Checks syntax only: not cmdlet names, parameters, types or behaviour.
//
//   node scripts/check-powershell.js FILE...     (scripts/install-tools.sh installs the grammar)
// Exit: 0 all parse, 1 a syntax error, 2 bad usage or unreadable file.

const fs = require('node:fs');
const { Parser, Language } = require('web-tree-sitter');

async function main(files) {
  if (files.length === 0) {
    process.stderr.write('usage: node scripts/check-powershell.js FILE...\n');
    return 2;
  }
  await Parser.init();
  const language = await Language.load(
    require.resolve('tree-sitter-powershell/tree-sitter-powershell.wasm'),
  );
  const parser = new Parser();
  parser.setLanguage(language);
  let errors = 0;
  for (const file of files) {
    let text;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      process.stderr.write(`${file}: ${err.message}\n`);
      return 2;
    }
    const tree = parser.parse(text);
    const cursor = tree.walk();
    // Depth-first over every node, ERROR and MISSING ones reported where they start.
    for (let more = true; more; ) {
      const node = cursor.currentNode;
      if (node.isError || node.isMissing) {
        errors += 1;
        const { row, column } = node.startPosition;
        const what = node.isMissing ? `missing ${node.type}` : 'syntax error';
        process.stdout.write(`${file}:${row + 1}:${column + 1}: ${what}\n`);
      }
      if (cursor.gotoFirstChild()) continue;
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent()) {
          more = false;
          break;
        }
      }
    }
  }
  return errors === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`check-powershell: ${err.stack || err}\n`);
    process.exit(2);
  },
);
