#!/usr/bin/env node
// Entry point of the `cascade` command; the compiled CLI lives in dist/.
require('../dist/src/cli/cascade.js').main(process.argv).catch((err) => {
  process.stderr.write(`cascade: ${err && err.message ? err.message : err}\n`);
  process.exit(1);
});
