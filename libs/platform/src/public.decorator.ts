import { SetMetadata } from '@nestjs/common';

export const PUBLIC_ROUTE = 'hub:public-route';

/** Marks a route that needs no API key (health, the dashboard shell, the OpenAPI document). */
export const PublicRoute = () => SetMetadata(PUBLIC_ROUTE, true);
