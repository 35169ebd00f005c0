import { Controller, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import path from 'node:path';
import { assetDirectory, loadWebPage, sendWebPage, ServesWebPage } from '@hub/platform/web-page';

/**
 * The page as built: nest-cli's `assets` option copies index.html and the stylesheet beside main.js, and nest build
 * bundles ./web (TypeScript) into console.js there (tools/lib/web-pages.ts). The page needs a build to be served.
 */
const ASSETS = [path.join(__dirname, 'console', 'assets')];

/**
 * GET / serves the agency console without a key (the page holds no data of its own); everything it shows comes
 * from the agency API with the key the officer signs in with. The page is read once, at boot.
 */
@ApiExcludeController()
@Controller()
export class ConsoleController {
  private readonly page = loadWebPage(assetDirectory(ASSETS));

  @ServesWebPage()
  serve(@Res({ passthrough: true }) response: Response): string {
    return sendWebPage(response, this.page);
  }
}
