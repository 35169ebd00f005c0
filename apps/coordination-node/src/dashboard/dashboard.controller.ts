import { Controller, Get, Header, Res } from '@nestjs/common';
import type { Response } from 'express';
import path from 'node:path';
import { PublicRoute } from '@hub/platform/public.decorator';
import { assetDirectory, loadWebPage } from '@hub/platform/web-page';

/** Built: copied beside main.js by nest-cli's `assets` option. Source (tests, ts-node): beside this file. */
const ASSETS = [path.join(__dirname, 'dashboard', 'assets'), path.join(__dirname, 'assets')];

/**
 * GET / serves the dashboard shell without a key (the page has no data of its own); everything it shows comes
 * from the analyst endpoints, which need the analyst's key. The page is read once, at boot.
 */
@Controller()
export class DashboardController {
  private readonly page = loadWebPage(assetDirectory(ASSETS));

  @Get()
  @PublicRoute()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  @Header('X-Content-Type-Options', 'nosniff')
  @Header('Referrer-Policy', 'no-referrer')
  serve(@Res({ passthrough: true }) response: Response): string {
    response.setHeader('Content-Security-Policy', this.page.contentSecurityPolicy);
    return this.page.html;
  }
}
