import { applyDecorators, Get, Header } from '@nestjs/common';
import type { Response } from 'express';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PublicRoute } from './public.decorator';

/**
 * A web page kept as real asset files (index.html, its stylesheet and its script), served as one self-contained
 * document: the stylesheet and script the HTML links to are inlined when the page is loaded, and the
 * Content-Security-Policy allows exactly those by hash. One request, nothing fetched from elsewhere, and an injected
 * script or style is refused by the browser. The script is the build's output (bundled from TypeScript by nest
 * build), so the hash is computed from exactly what is served.
 */
export interface WebPage {
  html: string;
  contentSecurityPolicy: string;
}

const STYLESHEET_LINK = /<link rel="stylesheet" href="([\w.-]+\.css)">/g;
const SCRIPT_TAG = /<script src="([\w.-]+\.js)"><\/script>/g;

function sha256(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/**
 * The first directory that holds `index.html`: built apps read their assets where nest-cli's `assets` option copied
 * them beside main.js (and nest build wrote the bundled script). Fails at boot, naming the places looked in.
 */
export function assetDirectory(candidates: readonly string[]): string {
  const found = candidates.find((dir) => fs.existsSync(path.join(dir, 'index.html')));
  if (!found) throw new Error(`web page assets not found; looked in: ${candidates.join(', ')}`);
  return found;
}

export function loadWebPage(directory: string): WebPage {
  const read = (name: string) => {
    const file = path.join(directory, name);
    // The scripts exist only in a build: nest build bundles them from the pages' TypeScript.
    if (!fs.existsSync(file))
      throw new Error(`${name}, linked from ${directory}/index.html, is missing: run nest build`);
    return fs.readFileSync(file, 'utf8');
  };
  const styles: string[] = [];
  const scripts: string[] = [];
  const html = read('index.html')
    .replace(STYLESHEET_LINK, (_tag, file: string) => {
      const css = read(file);
      styles.push(css);
      return `<style>${css}</style>`;
    })
    .replace(SCRIPT_TAG, (_tag, file: string) => {
      const js = read(file);
      // "</script" inside the script would end the inline element early.
      if (/<\/script/i.test(js)) throw new Error(`${file} contains "</script": it cannot be inlined`);
      scripts.push(js);
      return `<script>${js}</script>`;
    });
  const contentSecurityPolicy = [
    `default-src 'none'`,
    `script-src ${scripts.map(sha256).join(' ') || `'none'`}`,
    `style-src ${styles.map(sha256).join(' ') || `'none'`}`,
    `connect-src 'self'`,
    `img-src data:`,
    `base-uri 'none'`,
    `form-action 'none'`,
    `frame-ancestors 'none'`,
  ].join('; ');
  return { html, contentSecurityPolicy };
}

/**
 * `GET /` of a page loaded with loadWebPage: public (the page holds no data of its own; what it shows comes from
 * the API with the key the user signs in with), never cached, no MIME sniffing, no referrer. The handler answers
 * with sendWebPage.
 */
export function ServesWebPage(): MethodDecorator {
  return applyDecorators(
    Get(),
    PublicRoute(),
    Header('Content-Type', 'text/html; charset=utf-8'),
    Header('Cache-Control', 'no-store'),
    Header('X-Content-Type-Options', 'nosniff'),
    Header('Referrer-Policy', 'no-referrer'),
  );
}

/** The page's HTML, under the Content-Security-Policy that allows exactly its inlined script and stylesheet. */
export function sendWebPage(response: Response, page: WebPage): string {
  response.setHeader('Content-Security-Policy', page.contentSecurityPolicy);
  return page.html;
}
