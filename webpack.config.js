// nest build's webpack configuration (nest-cli.json): Nest's default, plus the web pages' scripts bundled from
// TypeScript with esbuild. The logic is TypeScript (tools/lib/web-pages.ts), loaded through tsx only for that require.
const unregister = require('tsx/cjs/api').register();
const { withWebPages } = require('./tools/lib/web-pages.ts');
unregister();

module.exports = withWebPages;
