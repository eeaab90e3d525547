#!/usr/bin/env node
// Entry point of the `cascade` command; the compiled CLI lives in dist/ and sets the exit code (README, "Exit codes").
require('../dist/src/cli/cascade.js').run(process.argv);
