/**
 * The web pages' browser code is TypeScript (strict, type-checked against the DOM by tsconfig.web.json), split into
 * modules by view, with what both pages share in libs/web. esbuild bundles each page's modules into the one classic
 * script its index.html links to; the service inlines that script and allows it by its SHA-256 hash
 * (libs/platform/src/web-page.ts), so the hash is always the bundle's.
 *
 * `nest build` produces the bundles: webpack.config.js adds WebPagesPlugin, which emits each bundle beside the page
 * assets nest-cli copies (dist/apps/<app>/<page>/assets/). npm start and npm test build through nest build.
 */
import * as esbuild from 'esbuild';
import path from 'node:path';
import type { Compiler, Configuration, WebpackPluginInstance } from 'webpack';

type Webpack = typeof import('webpack');

const ROOT = path.resolve(__dirname, '..', '..');

export interface WebPageScript {
  /** The app that serves the page. */
  app: string;
  /** The page's TypeScript entry point, from the repository root. */
  entry: string;
  /** The script's asset path in the app's build, as its index.html links to it. */
  asset: string;
}

export const WEB_PAGE_SCRIPTS: readonly WebPageScript[] = [
  { app: 'agency-gateway', entry: 'apps/agency-gateway/src/console/web/main.ts', asset: 'console/assets/console.js' },
  {
    app: 'coordination-node',
    entry: 'apps/coordination-node/src/dashboard/web/main.ts',
    asset: 'dashboard/assets/dashboard.js',
  },
];

export interface WebPageBundle {
  code: string;
  /** The source files it was built from (absolute paths), for watch mode. */
  inputs: string[];
}

/** One page's modules as a single classic script (an IIFE), for browsers of the last few years. */
export async function bundleWebPageScript(page: WebPageScript): Promise<WebPageBundle> {
  const result = await esbuild.build({
    entryPoints: [path.join(ROOT, page.entry)],
    tsconfig: path.join(ROOT, 'tsconfig.web.json'),
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    charset: 'ascii',
    // The libraries a page bundles (Chart.js on the dashboard) are mostly unminified ES modules: white space and
    // syntax are minified (the dashboard's script is 30% smaller), names are kept, so an error in the browser still
    // names its function. Their licence notices (/*! … */) are kept, together at the end of the script.
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: 'eof',
    metafile: true,
    logLevel: 'silent',
    banner: { js: `// Built by esbuild from ${page.entry} (tools/lib/web-pages.ts): edit the TypeScript.` },
  });
  const code = result.outputFiles?.[0]?.text;
  if (code === undefined || !result.metafile) throw new Error(`esbuild returned no bundle for ${page.entry}`);
  return { code, inputs: Object.keys(result.metafile.inputs).map((input) => path.resolve(ROOT, input)) };
}

/** Emits the bundles of an app's pages into its webpack build, and fails the build when one does not bundle. */
export class WebPagesPlugin implements WebpackPluginInstance {
  constructor(
    private readonly pages: readonly WebPageScript[],
    /** The app's folder inside webpack's output folder (e.g. apps/agency-gateway). */
    private readonly appOutDir: string,
    private readonly webpack: Webpack,
  ) {}

  apply(compiler: Compiler): void {
    const { Compilation, sources, WebpackError } = this.webpack;
    compiler.hooks.thisCompilation.tap(WebPagesPlugin.name, (compilation) => {
      compilation.hooks.processAssets.tapPromise(
        { name: WebPagesPlugin.name, stage: Compilation.PROCESS_ASSETS_STAGE_ADDITIONAL },
        async () => {
          for (const page of this.pages) {
            try {
              const bundle = await bundleWebPageScript(page);
              compilation.emitAsset(path.posix.join(this.appOutDir, page.asset), new sources.RawSource(bundle.code));
              for (const input of bundle.inputs) compilation.fileDependencies.add(input);
            } catch (error) {
              compilation.errors.push(new WebpackError(`${page.entry}: ${(error as Error).message}`));
            }
          }
        },
      );
    });
  }
}

/**
 * nest-cli's webpack configuration factory: its default configuration for the app being built, plus the bundles of
 * that app's pages. The app is told by its entry point (apps/<app>/src/main.ts).
 */
export function withWebPages(options: Configuration, webpack: Webpack): Configuration {
  const entry = path.relative(ROOT, String(options.entry)).split(path.sep).join('/');
  const pages = WEB_PAGE_SCRIPTS.filter((page) => entry.startsWith(`apps/${page.app}/`));
  if (pages.length === 0) return options;
  const appOutDir = path.posix.dirname(String(options.output?.filename).split(path.sep).join('/'));
  return { ...options, plugins: [...(options.plugins ?? []), new WebPagesPlugin(pages, appOutDir, webpack)] };
}
