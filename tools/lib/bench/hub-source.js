'use strict';
/**
 * The services' own TypeScript functions for the bench (fact builders, SQL builders, libs/merkle), loaded from
 * the source `dist` was built from: dist/apps/<app>/main.js is one webpack bundle that exports nothing. The bench
 * runs under tsx (tools/bootstrap.js), which compiles them and resolves the @hub/* path aliases; reflect-metadata
 * is loaded once for the decorators of the contracts.
 */
const path = require('node:path');

function hubSource(root) {
  require('reflect-metadata'); // class-validator / class-transformer decorators in the contracts need it
  return (relative) => require(path.join(root, relative));
}

module.exports = { hubSource };
