// Mocha settings. `mocha` alone runs the whole suite in parallel; test files named on the command line
// (npx mocha dist/test/unit/config.test.js) run alone, since mocha adds a configured spec to the files named.
const fs = require('node:fs');
const path = require('node:path');

const TEST_ROOT = path.join(__dirname, 'dist', 'test');

/**
 * The suite's files, multi-process ones first: the parallel workers take files in this order, so starting the
 * longest early lets them finish together instead of one long file running alone at the end.
 */
function suiteFiles() {
  if (!fs.existsSync(TEST_ROOT)) return ['dist/test/**/*.test.js']; // not built: mocha says it finds no test files
  const files = fs
    .readdirSync(TEST_ROOT, { recursive: true })
    .filter((f) => f.endsWith('.test.js'))
    .sort();
  const weight = (f) => (/\.e2e\.test\.js$/.test(f) ? 0 : /^integration\//.test(f) ? 1 : 2);
  return files.sort((a, b) => weight(a) - weight(b)).map((f) => path.join('dist', 'test', f));
}

const named = process.argv.slice(2).some((a) => /\.test\.[cm]?js$/.test(a));

module.exports = {
  ...(named ? {} : { spec: suiteFiles() }),
  parallel: true,
  // Two cores: one file per core, plus one, since a file mostly waits on the node processes it started.
  jobs: 3,
  require: ['dist/test/support/root-hooks.js'],
  // Bounds a hang; generous, since parallel files share the cores.
  timeout: 120000,
  exit: true,
  reporter: 'spec',
};
