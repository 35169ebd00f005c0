/** The one flattener of class-validator errors (paths like `subjects[2].number`), shared by HTTP and Kafka. */
export { flattenValidationErrors } from './alert/validate';
export type { FieldError } from './alert/field-error';
