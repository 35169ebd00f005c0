import { DynamicModule, Global, Module, Provider, Type } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ApiKeyAuthenticator } from './api-key.authenticator';
import { ApiKeyGuard } from './api-key.guard';
import { BootstrapAdminKey, CredentialStore } from './credential-store';

/** Installs ApiKeyGuard globally, with the service's credential store and (gateway only) the env admin key. */
@Global()
@Module({})
export class AuthModule {
  static forRoot(options: {
    imports?: DynamicModule[];
    store?: Type<CredentialStore>;
    adminKey?: string | null;
  }): DynamicModule {
    const providers: Provider[] = [
      { provide: BootstrapAdminKey, useValue: { value: options.adminKey ?? null } },
      { provide: APP_GUARD, useClass: ApiKeyGuard },
      ApiKeyAuthenticator,
    ];
    if (options.store) providers.push({ provide: CredentialStore, useClass: options.store });
    return {
      module: AuthModule,
      imports: options.imports ?? [],
      providers,
      exports: [BootstrapAdminKey, ApiKeyAuthenticator],
    };
  }
}
