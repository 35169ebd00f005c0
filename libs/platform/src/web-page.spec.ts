import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assetDirectory, loadWebPage } from './web-page';

function pageDir(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'web-page-'));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

const hash = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

describe('loadWebPage', () => {
  it('inlines the linked stylesheet and script and allows exactly them by hash', () => {
    const css = 'body { color: red; }\n';
    const js = "(() => {\n  'use strict';\n})();\n";
    const page = loadWebPage(
      pageDir({
        'index.html':
          '<head><link rel="stylesheet" href="page.css"></head><body><script src="page.js"></script></body>',
        'page.css': css,
        'page.js': js,
      }),
    );
    expect(page.html).toBe(`<head><style>${css}</style></head><body><script>${js}</script></body>`);
    expect(page.contentSecurityPolicy).toContain(`script-src ${hash(js)};`);
    expect(page.contentSecurityPolicy).toContain(`style-src ${hash(css)};`);
    expect(page.contentSecurityPolicy).toContain(`default-src 'none'`);
    expect(page.contentSecurityPolicy).not.toContain('unsafe-inline');
  });

  it('refuses a script that would end its inline element early', () => {
    const dir = pageDir({ 'index.html': '<script src="a.js"></script>', 'a.js': 'var s = "</script>";' });
    expect(() => loadWebPage(dir)).toThrow(/cannot be inlined/);
  });

  it('finds the first directory holding index.html, and names every place it looked in otherwise', () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'web-page-'));
    const full = pageDir({ 'index.html': '' });
    expect(assetDirectory([empty, full])).toBe(full);
    expect(() => assetDirectory([empty])).toThrow(empty);
  });

  it('names a linked file that is missing (a script not built yet)', () => {
    const dir = pageDir({ 'index.html': '<script src="page.js"></script>' });
    expect(() => loadWebPage(dir)).toThrow(/page\.js, linked from .*index\.html, is missing: run nest build/);
  });
});
