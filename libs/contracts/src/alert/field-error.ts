/**
 * One problem with one field of a submitted document. `path` uses dots for properties and [i] for array
 * entries (`subjects[2].number`, `distribution.recipients[0]`); the empty path means the document itself.
 * This is the `details[]` entry of the HTTP error shape and the reason recorded for a rejected submission.
 */
export interface FieldError {
  path: string;
  message: string;
}
