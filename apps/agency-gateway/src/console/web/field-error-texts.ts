import type { Messages } from './text-en';

type FieldErrors = Messages['fieldErrors'];
type Texts = { [K in keyof FieldErrors]: FieldErrors[K] extends string ? K : never }[keyof FieldErrors];
type Templates = Exclude<keyof FieldErrors, Texts>;

/**
 * The API's field errors as it writes them (in English, libs/contracts): each pattern names the catalogue entry
 * that says the same in the page's language, with what it captured as that entry's arguments.
 */
const PATTERNS: [RegExp, Texts][] = [
  [/^is required$/, 'required'],
  [/^is required when subjects include a person or a vehicle$/, 'requiredForPersonOrVehicle'],
  [/^is required when handlingCode is H3$/, 'requiredForH3'],
  [/^is only allowed with handlingCode H3$/, 'onlyWithH3'],
  [/^(is not an accepted field|property should not exist)/, 'notAccepted'],
  [/^is stamped by the hub/, 'stamped'],
  [/^(expiresAt )?must be in the future$/, 'inFuture'],
  [/^must not be in the future$/, 'notInFuture'],
  [/^is not a known agency$/, 'unknownAgency'],
  [/^is not an active agency$/, 'inactiveAgency'],
  [/^is not a known sharing group$/, 'unknownGroup'],
  [/^is listed more than once$/, 'duplicate'],
  [/^is the sender itself$/, 'isSender'],
  [/^restricted scope needs at least one recipient or sharing group$/, 'needsRecipient'],
  [/^must be empty when scope is regional/, 'emptyWhenRegional'],
  [/^must be empty for TLP RED/, 'noGroupsForRed'],
  [/^must be an agency id/, 'agencyId'],
  [/^must be a string$/, 'mustBeString'],
  [/^must be a number$/, 'mustBeNumber'],
  [/^must be an object$/, 'mustBeObject'],
  [/^must be a 17-character ISO 3779 VIN/, 'vin'],
  [/^must be a calendar date/, 'calendarDate'],
  [/^must be a UUID$/, 'uuid'],
  [/^may contain only letters, digits/, 'identifierCharacters'],
];

const TEMPLATES: [RegExp, Templates][] = [
  [/^must be one of: (.+)$/, 'oneOf'],
  [/^(container|IMO) number check digit is wrong \(expected (\w)\)$/, 'checkDigit'],
  [/^must be (\d+) to (\d+) characters long$/, 'length'],
  [/^must be restricted for TLP (\S+)$/, 'restrictedForTlp'],
  [/^must name at least one agency for TLP (\S+)$/, 'namedAgencyForTlp'],
];

/** The API's message for a field in the page's language; one the page does not know is shown as the API wrote it. */
export function fieldErrorText(texts: FieldErrors, apiMessage: string): string {
  for (const [pattern, key] of PATTERNS) if (pattern.test(apiMessage)) return texts[key];
  for (const [pattern, key] of TEMPLATES) {
    const match = pattern.exec(apiMessage);
    if (!match) continue;
    const template = texts[key] as (...args: string[]) => string;
    return template(...match.slice(1));
  }
  return apiMessage;
}
