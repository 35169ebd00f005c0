/**
 * The preloads run inside the services (node --require, from NODE_OPTIONS), which run compiled JavaScript from dist
 * without a TypeScript loader. Loading tsx there (`--require tsx/cjs`) would put esbuild and its module hooks into
 * the very processes whose CPU and memory the bench measures, so the bench compiles the preloads itself, once per
 * run, with TypeScript's single-file transpiler (no type check: tsconfig.tools.json checks them), into a folder of
 * its own. The files keep their names, so a profile still shows the profiler's own frames as `profile-preload`.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const SOURCES = ['send-hooks', 'count-preload', 'profile-preload', 'variant-preload'] as const;

export interface Preloads {
  /** Counts every service's statements and sends (the cost table). */
  count: string;
  /** Profiles a service over a window (--profile). */
  profile: string;
  /** Switches TLS or metrics off inside a service (--compare). */
  variant: string;
}

/** Writes <outDir>/<source>.js for each source; returns the preloads' paths. */
export function compilePreloads(outDir: string): Preloads {
  fs.mkdirSync(outDir, { recursive: true });
  for (const name of SOURCES) {
    const source = fs.readFileSync(path.join(__dirname, `${name}.ts`), 'utf8');
    const { outputText } = ts.transpileModule(source, {
      fileName: `${name}.ts`,
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        esModuleInterop: true,
        strict: true,
      },
      reportDiagnostics: false,
    });
    fs.writeFileSync(path.join(outDir, `${name}.js`), outputText);
  }
  return {
    count: path.join(outDir, 'count-preload.js'),
    profile: path.join(outDir, 'profile-preload.js'),
    variant: path.join(outDir, 'variant-preload.js'),
  };
}
