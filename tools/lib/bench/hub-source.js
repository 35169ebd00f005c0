'use strict';
/**
 * The services' own TypeScript functions for the bench (fact builders, SQL builders, libs/merkle), loaded from
 * the source `dist` was built from: dist/apps/<app>/main.js is one webpack bundle that exports nothing. ts-node
 * in transpile-only mode, with the repository's @hub/* path aliases; registered once per process.
 */
const fs = require('node:fs');
const path = require('node:path');

let registeredFor = null;

function hubSource(root) {
  if (registeredFor === null) {
    require('reflect-metadata'); // class-validator / class-transformer decorators in the contracts need it
    require('ts-node').register({
      transpileOnly: true,
      skipProject: true,
      compilerOptions: { module: 'commonjs', target: 'es2022', experimentalDecorators: true, emitDecoratorMetadata: false },
    });
    const { compilerOptions } = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.json'), 'utf8'));
    require('tsconfig-paths').register({ baseUrl: root, paths: compilerOptions.paths });
    registeredFor = root;
  }
  return (relative) => require(path.join(root, relative));
}

module.exports = { hubSource };
