// The contract classes use class-transformer's @Type, which reads decorator metadata at class definition time.
import 'reflect-metadata';

export * from './topics';
export * from './fact-owners';
export * from './audit-event';
export * from './reference';
export * from './messages';
export * from './validation';
export * from './alert';
export * from './domain';
export * from './policy';
// ./validation and ./alert both define these; the package exports the alert versions, which report failing
// list entries by index (`distribution.recipients[3]`) and name hub-stamped fields.
export type { FieldError } from './alert';
export { flattenValidationErrors } from './alert';
