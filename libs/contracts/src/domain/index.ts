export * from './iso-country';
export * from './iso6346';
export * from './imo';
export * from './e164';
export * from './instant';
export * from './decorators';
export * from './identifiers';
export * from './written-identifiers';
