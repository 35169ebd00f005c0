import { Controller, Get, Header } from '@nestjs/common';
import { PublicRoute } from '@hub/platform/public.decorator';
import { DASHBOARD_CONTENT_SECURITY_POLICY, DASHBOARD_HTML } from './dashboard.page';

/**
 * GET / serves the dashboard shell without a key (the page has no data of its own); everything it shows comes
 * from the analyst endpoints, which need the analyst's key.
 */
@Controller()
export class DashboardController {
  @Get()
  @PublicRoute()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Content-Security-Policy', DASHBOARD_CONTENT_SECURITY_POLICY)
  @Header('Cache-Control', 'no-store')
  @Header('X-Content-Type-Options', 'nosniff')
  @Header('Referrer-Policy', 'no-referrer')
  page(): string {
    return DASHBOARD_HTML;
  }
}
