export * from './api-key';
export * from './api-key.guard';
export * from './auth.module';
export * from './credential-replica';
export * from './credential-store';
export * from './principal';
export * from './roles.decorator';
