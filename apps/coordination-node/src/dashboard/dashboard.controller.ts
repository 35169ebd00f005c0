import { Controller, Res } from '@nestjs/common';
import type { Response } from 'express';
import path from 'node:path';
import { assetDirectory, loadWebPage, sendWebPage, ServesWebPage } from '@hub/platform/web-page';

/**
 * The page as built: nest-cli's `assets` option copies index.html and the stylesheet beside main.js, and nest build
 * bundles ./web (TypeScript) into dashboard.js there (tools/lib/web-pages.ts). The page needs a build to be served.
 */
const ASSETS = [path.join(__dirname, 'dashboard', 'assets')];

/**
 * GET / serves the dashboard shell without a key (the page has no data of its own); everything it shows comes
 * from the analyst endpoints, which need the analyst's key. The page is read once, at boot.
 */
@Controller()
export class DashboardController {
  private readonly page = loadWebPage(assetDirectory(ASSETS));

  @ServesWebPage()
  serve(@Res({ passthrough: true }) response: Response): string {
    return sendWebPage(response, this.page);
  }
}
