import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadWebPage } from '@hub/platform/web-page';
import { bundleWebPageScript, WEB_PAGE_SCRIPTS } from './web-pages';

const ROOT = path.resolve(__dirname, '..', '..');
const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

describe('the web pages bundled from TypeScript', () => {
  it.each(WEB_PAGE_SCRIPTS.map((page) => [page.asset, page] as const))(
    '%s: one classic script from its modules and libs/web, allowed by its own hash',
    async (_name, page) => {
      const bundle = await bundleWebPageScript(page);
      // Laid out as nest build lays out the page: its asset files, with the bundle beside them.
      const assets = path.join(ROOT, 'apps', page.app, 'src', path.dirname(page.asset));
      const built = fs.mkdtempSync(path.join(os.tmpdir(), 'web-pages-'));
      for (const file of fs.readdirSync(assets)) fs.copyFileSync(path.join(assets, file), path.join(built, file));
      fs.writeFileSync(path.join(built, path.basename(page.asset)), bundle.code);

      const served = loadWebPage(built);
      expect(served.html).not.toMatch(/<script src=|<link rel="stylesheet"|(src|href)=["']https?:/);
      expect(served.html).toContain(`<script>${bundle.code}</script>`);
      expect(served.contentSecurityPolicy).toContain(`script-src ${sha256(bundle.code)};`);
      // A classic script: no module syntax left, and the shared stream reader came from libs/web.
      expect(bundle.code).not.toMatch(/^\s*(import|export)\s/m);
      expect(bundle.inputs).toContain(path.join(ROOT, 'libs', 'web', 'src', 'live-stream.ts'));
      expect(bundle.inputs).toContain(path.join(ROOT, page.entry));
    },
  );

  it('keeps the licence notices of the libraries a page bundles (Chart.js on the dashboard)', async () => {
    const dashboard = WEB_PAGE_SCRIPTS.find((page) => page.app === 'coordination-node')!;
    const bundle = await bundleWebPageScript(dashboard);
    expect(bundle.code).toMatch(/Chart\.js v4[\s\S]*Released under the MIT License/);
    expect(bundle.code).toContain('chartjs-chart-matrix');
    // Nothing a strict Content-Security-Policy refuses: no eval, no Function constructor.
    expect(bundle.code).not.toMatch(/\beval\(|new Function\(/);
  });

  it('fails with the file and the error when a page does not bundle', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'web-pages-'));
    try {
      fs.writeFileSync(path.join(dir, 'main.ts'), "import { missing } from './nowhere';\nmissing();\n");
      const entry = path.relative(ROOT, path.join(dir, 'main.ts'));
      await expect(bundleWebPageScript({ app: 'x', entry, asset: 'x.js' })).rejects.toThrow(/nowhere/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
