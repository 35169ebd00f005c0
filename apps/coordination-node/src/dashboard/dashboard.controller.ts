import { Controller, Res } from '@nestjs/common';
import type { Response } from 'express';
import path from 'node:path';
import { assetDirectory, loadWebPage, sendWebPage, ServesWebPage } from '@hub/platform/web-page';

/** Built: copied beside main.js by nest-cli's `assets` option. Source (tests, ts-node): beside this file. */
const ASSETS = [path.join(__dirname, 'dashboard', 'assets'), path.join(__dirname, 'assets')];

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
