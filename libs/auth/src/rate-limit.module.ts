import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import { ApiKeyAuthenticator, AuthenticatedRequest, rateLimitTracker } from './api-key.authenticator';

/** One rate-limit window, per verified key or (without one) per source address; 429 with Retry-After = the wait. */
export const RATE_LIMIT_WINDOW_MS = 60_000;

/**
 * @nestjs/throttler (in-memory, per process) on every service, counted by rateLimitTracker. The throttler is named
 * 'default' so that its Retry-After header has the standard name and states the real wait.
 */
@Module({})
export class RateLimitModule {
  static forRoot(limitPerWindow: number): DynamicModule {
    return {
      module: RateLimitModule,
      imports: [
        ThrottlerModule.forRootAsync({
          inject: [ApiKeyAuthenticator],
          useFactory: (authenticator: ApiKeyAuthenticator) => ({
            throttlers: [{ name: 'default', ttl: RATE_LIMIT_WINDOW_MS, limit: limitPerWindow }],
            getTracker: (request: Record<string, unknown>) =>
              rateLimitTracker(authenticator, request as unknown as AuthenticatedRequest),
          }),
        }),
      ],
      providers: [{ provide: APP_GUARD, useClass: ThrottlerGuard }],
    };
  }
}
