import { XMLBuilder, XMLValidator } from 'fast-xml-parser';
import { parseCap } from './cap-document';
import { FieldError } from '@hub/platform/errors';
import { withoutHubStampedSubjectFields } from '@hub/contracts/alert/subjects';
import { InterchangeView } from './interchange-view';

/**
 * The hub's alert as an OASIS CAP 1.2 <alert>, and a CAP 1.2 <alert> as a submission body — the mapping is in
 * docs/interchange.md. Everything the contract has and CAP has not (TLP, handling code, evaluation, sharing groups,
 * typed subjects) travels in <parameter>s, so a CAP alert the hub wrote maps back to the same content.
 */
export const CAP_NAMESPACE = 'urn:oasis:names:tc:emergency:cap:1.2';

export const CAP_PARAMETER = {
  tlp: 'TLP',
  handlingCode: 'handlingCode',
  handlingConditions: 'handlingConditions',
  evaluationSource: 'evaluationSource',
  evaluationInformation: 'evaluationInformation',
  sharingGroup: 'sharingGroup',
  subject: 'subject',
} as const;
const GEOCODE_COUNTRY = 'ISO3166-1';
const REGIONAL_RESTRICTION = 'regional: every active agency of the Alert Exchange Hub but the sender';

/** CAP's dateTime: seconds precision and an explicit offset (the schema's pattern admits no "Z" or fractions). */
export function capDateTime(iso: string): string {
  return new Date(iso).toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

/** A CAP dateTime as the contract writes instants: UTC with a Z. */
function contractInstant(cap: string): string | null {
  const time = Date.parse(cap);
  return Number.isNaN(time) ? null : new Date(time).toISOString().replace('.000Z', 'Z');
}

const capitalised = (value: string) => value.charAt(0).toUpperCase() + value.slice(1);
const identifierOf = (alertId: string, version: number) => `${alertId}.v${version}`;

export function toCapXml(view: InterchangeView): string {
  const content = view.alert;
  const msgType = view.kind === 'cancel' ? 'Cancel' : view.kind === 'update' ? 'Update' : 'Alert';
  const alert: Record<string, unknown> = {
    '@_xmlns': CAP_NAMESPACE,
    identifier: identifierOf(view.alertId, view.version),
    sender: view.sender,
    sent: capDateTime(view.at),
    status: capitalised(content?.status ?? 'actual'),
    msgType,
    scope: content?.distribution.scope === 'regional' ? 'Restricted' : 'Private',
  };
  if (content?.distribution.scope === 'regional') alert.restriction = REGIONAL_RESTRICTION;
  if (content && content.distribution.scope !== 'regional' && content.distribution.recipients.length > 0) {
    alert.addresses = content.distribution.recipients.join(' ');
  }
  if (view.cancelReason) alert.note = view.cancelReason;
  if (view.previous)
    alert.references = `${view.sender},${identifierOf(view.alertId, view.previous.version)},${capDateTime(view.previous.at)}`;
  if (content && content.references.length > 0) alert.incidents = content.references.join(' ');
  if (!content) {
    // No content to show (a cancel delivery, a withdrawn alert): the envelope only. CAP allows an alert without <info>.
    if (!alert.note) alert.note = view.kind === 'cancel' ? 'cancelled' : 'withdrawn';
    return build(alert);
  }
  const parameter = (valueName: string, value: string | number) => ({ valueName, value: String(value) });
  const info: Record<string, unknown> = {
    language: 'en',
    category: 'Security',
    event: content.category,
    urgency: capitalised(content.urgency),
    severity: capitalised(content.severity),
    certainty: capitalised(content.certainty),
    ...(content.expiresAt ? { expires: capDateTime(content.expiresAt) } : {}),
    senderName: view.sender,
    headline: content.headline,
    ...(content.description !== undefined && content.description !== null ? { description: content.description } : {}),
    parameter: [
      parameter(CAP_PARAMETER.tlp, `TLP:${content.tlp}`),
      parameter(CAP_PARAMETER.handlingCode, content.handlingCode),
      ...(content.handlingConditions ? [parameter(CAP_PARAMETER.handlingConditions, content.handlingConditions)] : []),
      parameter(CAP_PARAMETER.evaluationSource, content.evaluation.source),
      parameter(CAP_PARAMETER.evaluationInformation, content.evaluation.information),
      ...content.distribution.sharingGroups.map((group) => parameter(CAP_PARAMETER.sharingGroup, group)),
      ...withoutHubStampedSubjectFields(content.subjects).map((subject) =>
        parameter(CAP_PARAMETER.subject, JSON.stringify(subject)),
      ),
    ],
    area: {
      areaDesc: content.location.place ?? content.location.country,
      ...(typeof content.location.lat === 'number' && typeof content.location.lon === 'number'
        ? { circle: `${content.location.lat},${content.location.lon} 0` }
        : {}),
      geocode: { valueName: GEOCODE_COUNTRY, value: content.location.country },
    },
  };
  alert.info = info;
  return build(alert);
}

function build(alert: Record<string, unknown>): string {
  const builder = new XMLBuilder({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    format: true,
    indentBy: '  ',
    suppressEmptyNode: false,
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build({ alert })}`;
}

/** Elements of CAP 1.2 the hub has no place for: refused by name, never silently dropped. */
const UNSUPPORTED_ALERT = ['source', 'code', 'note', 'references'];
const UNSUPPORTED_INFO = [
  'responseType',
  'audience',
  'eventCode',
  'effective',
  'onset',
  'instruction',
  'web',
  'contact',
  'resource',
];
const UNSUPPORTED_AREA = ['polygon', 'altitude', 'ceiling'];
/** What the hub reads, per element; anything else under them is not CAP 1.2 (or is a signature, which is refused too). */
const READ_ALERT = [
  '@_xmlns',
  'identifier',
  'sender',
  'sent',
  'status',
  'msgType',
  'scope',
  'restriction',
  'addresses',
  'incidents',
  'info',
];
const READ_INFO = [
  'language',
  'category',
  'event',
  'urgency',
  'severity',
  'certainty',
  'expires',
  'senderName',
  'headline',
  'description',
  'parameter',
  'area',
];
const READ_AREA = ['areaDesc', 'circle', 'geocode'];

function unknownElements(
  element: Record<string, unknown>,
  read: string[],
  unsupported: string[],
  path: string,
): FieldError[] {
  return Object.keys(element)
    .filter((key) => !key.startsWith('@_') && !read.includes(key) && !unsupported.includes(key))
    .map((key) => ({ path: `${path}/${key}`, message: 'is not an element of CAP 1.2 that the hub accepts' }));
}

export type CapReading = { ok: true; body: Record<string, unknown> } | { ok: false; errors: FieldError[] };

/**
 * A CAP 1.2 <alert> (msgType Alert) as a submission body of the contract. Problems of the XML itself are named by
 * element here; the body then goes through the same validation as JSON, whose paths `capPathOf` translates.
 */
export function fromCapXml(xml: string, caller: string): CapReading {
  const problem = (path: string, message: string): CapReading => ({ ok: false, errors: [{ path, message }] });
  if (typeof xml !== 'string' || xml.trim() === '')
    return problem('alert', 'the body must be a CAP 1.2 <alert> document');
  // No DTDs: entity expansion is how XML bombs work, and CAP needs none.
  if (/<!DOCTYPE/i.test(xml)) return problem('alert', 'a DOCTYPE is not accepted');
  const wellFormed = XMLValidator.validate(xml);
  if (wellFormed !== true)
    return problem(
      'alert',
      `is not well-formed XML: ${wellFormed.err.msg} (line ${wellFormed.err.line}, column ${wellFormed.err.col})`,
    );
  const parsed = parseCap(xml);
  if (!parsed.ok) return problem('alert', `cannot be read: ${parsed.message}`);
  const { raw, document } = parsed;
  const rootName = Object.keys(raw).find((key) => key !== '?xml') ?? '';
  const prefix = rootName.includes(':') ? rootName.slice(0, rootName.indexOf(':')) : null;
  const declared = raw[rootName]?.[prefix ? `@_xmlns:${prefix}` : '@_xmlns'];
  const root = Object.keys(document).filter((key) => key !== '?xml');
  if (root.length !== 1 || root[0] !== 'alert')
    return problem('alert', `the document element must be a CAP <alert> (got <${root.join('>, <')}>)`);
  const alert = document.alert as Record<string, any>;
  if (typeof alert !== 'object' || alert === null) return problem('alert', 'is empty');
  if (declared !== CAP_NAMESPACE)
    return problem(
      'alert',
      `must be in the CAP 1.2 namespace ${CAP_NAMESPACE} (got ${typeof declared === 'string' ? declared : 'none'})`,
    );

  const errors: FieldError[] = [];
  const text = (value: unknown): string | undefined =>
    typeof value === 'string' ? value : value === undefined ? undefined : String(value);
  for (const required of ['identifier', 'sender', 'sent', 'status', 'msgType', 'scope']) {
    if (alert[required] === undefined) errors.push({ path: `alert/${required}`, message: 'is required by CAP 1.2' });
  }
  errors.push(...unknownElements(alert, READ_ALERT, UNSUPPORTED_ALERT, 'alert'));
  for (const name of UNSUPPORTED_ALERT) {
    if (alert[name] !== undefined)
      errors.push({
        path: `alert/${name}`,
        message: 'is not supported here (POST /v1/alerts takes a new alert: msgType Alert, no <references>)',
      });
  }
  if (alert.msgType !== undefined && alert.msgType !== 'Alert') {
    errors.push({
      path: 'alert/msgType',
      message: `must be Alert for a new alert (got ${text(alert.msgType)}); updates and cancels are JSON (POST /v1/alerts/{id}/versions, …/cancel)`,
    });
  }
  if (alert.sender !== undefined && text(alert.sender) !== caller)
    errors.push({ path: 'alert/sender', message: `must be your agency id ${caller}` });
  if (alert.sent !== undefined && contractInstant(text(alert.sent) ?? '') === null)
    errors.push({ path: 'alert/sent', message: 'must be a CAP dateTime' });
  const infos = (alert.info ?? []) as Record<string, any>[];
  if (infos.length !== 1) errors.push({ path: 'alert/info', message: `must occur exactly once (got ${infos.length})` });
  const scope = text(alert.scope);
  if (scope !== undefined && scope !== 'Private' && scope !== 'Restricted') {
    errors.push({
      path: 'alert/scope',
      message: 'must be Private (the addressed agencies and sharing groups) or Restricted (regional)',
    });
  }
  if (errors.length > 0 || infos.length !== 1) return { ok: false, errors };

  const info = infos[0];
  if (typeof info !== 'object' || info === null)
    return { ok: false, errors: [{ path: 'alert/info', message: 'must hold the alert (event, urgency, …)' }] };
  errors.push(...unknownElements(info, READ_INFO, UNSUPPORTED_INFO, 'alert/info'));
  for (const name of UNSUPPORTED_INFO) {
    if (info[name] !== undefined)
      errors.push({
        path: `alert/info/${name}`,
        message: 'is not supported by the hub (the contract has no such field)',
      });
  }
  const areas = (info.area ?? []) as Record<string, any>[];
  if (areas.length !== 1)
    errors.push({ path: 'alert/info/area', message: `must occur exactly once (got ${areas.length})` });
  const area = areas[0] ?? {};
  if (typeof area === 'object' && area !== null)
    errors.push(...unknownElements(area, READ_AREA, UNSUPPORTED_AREA, 'alert/info/area'));
  for (const name of UNSUPPORTED_AREA) {
    if (area[name] !== undefined)
      errors.push({
        path: `alert/info/area/${name}`,
        message: 'is not supported by the hub (give a <circle> with radius 0 for a point)',
      });
  }

  const parameters = new Map<string, string[]>();
  for (const [index, entry] of ((info.parameter ?? []) as Record<string, unknown>[]).entries()) {
    const name = text(entry?.valueName);
    const value = text(entry?.value) ?? '';
    if (!name || !(Object.values(CAP_PARAMETER) as string[]).includes(name)) {
      errors.push({
        path: `alert/info/parameter[${index + 1}]/valueName`,
        message: `${name ?? '(none)'} is not an accepted parameter (${Object.values(CAP_PARAMETER).join(', ')})`,
      });
      continue;
    }
    parameters.set(name, [...(parameters.get(name) ?? []), value]);
  }
  for (const single of [
    CAP_PARAMETER.tlp,
    CAP_PARAMETER.handlingCode,
    CAP_PARAMETER.handlingConditions,
    CAP_PARAMETER.evaluationSource,
    CAP_PARAMETER.evaluationInformation,
  ]) {
    if ((parameters.get(single)?.length ?? 0) > 1)
      errors.push({ path: `alert/info/parameter[${single}]`, message: 'must occur at most once' });
  }
  const one = (name: string) => parameters.get(name)?.[0];

  const subjects: unknown[] = [];
  for (const [index, json] of (parameters.get(CAP_PARAMETER.subject) ?? []).entries()) {
    try {
      subjects.push(JSON.parse(json));
    } catch {
      errors.push({
        path: `alert/info/parameter[subject][${index}]/value`,
        message: 'must be a JSON object (a subject of the contract)',
      });
    }
  }

  const geocodes = (area.geocode ?? []) as Record<string, unknown>[];
  const country = text(geocodes.find((g) => text(g?.valueName) === GEOCODE_COUNTRY)?.value);
  const circles = (area.circle ?? []) as unknown[];
  if (circles.length > 1)
    errors.push({ path: 'alert/info/area/circle', message: 'must occur at most once (one point)' });
  let lat: number | undefined;
  let lon: number | undefined;
  if (circles.length === 1) {
    const match = /^\s*(-?[\d.]+)\s*,\s*(-?[\d.]+)\s+([\d.]+)\s*$/.exec(text(circles[0]) ?? '');
    if (!match) errors.push({ path: 'alert/info/area/circle', message: 'must be "lat,lon radius"' });
    else [lat, lon] = [Number(match[1]), Number(match[2])];
  }
  const areaDesc = text(area.areaDesc);
  if (errors.length > 0) return { ok: false, errors };

  const lower = (value: unknown) => (typeof value === 'string' ? value.toLowerCase() : value);
  const information = one(CAP_PARAMETER.evaluationInformation);
  const addresses =
    text(alert.addresses)
      ?.split(/\s+/)
      .filter((a) => a.length > 0) ?? [];
  const incidents =
    text(alert.incidents)
      ?.split(/\s+/)
      .filter((a) => a.length > 0) ?? [];
  const expires = text(info.expires);
  const body: Record<string, unknown> = {
    status: lower(text(alert.status)),
    category: text(info.event),
    urgency: lower(text(info.urgency)),
    severity: lower(text(info.severity)),
    certainty: lower(text(info.certainty)),
    headline: text(info.headline),
    ...(info.description !== undefined ? { description: text(info.description) } : {}),
    tlp: one(CAP_PARAMETER.tlp)?.replace(/^TLP:/i, ''),
    handlingCode: one(CAP_PARAMETER.handlingCode),
    ...(one(CAP_PARAMETER.handlingConditions) !== undefined
      ? { handlingConditions: one(CAP_PARAMETER.handlingConditions) }
      : {}),
    evaluation: {
      source: one(CAP_PARAMETER.evaluationSource),
      information: information !== undefined && /^\d+$/.test(information) ? Number(information) : information,
    },
    distribution: {
      scope: scope === 'Restricted' ? 'regional' : 'restricted',
      recipients: addresses,
      sharingGroups: parameters.get(CAP_PARAMETER.sharingGroup) ?? [],
    },
    location: {
      country,
      ...(areaDesc !== undefined && areaDesc !== country ? { place: areaDesc } : {}),
      ...(lat !== undefined ? { lat, lon } : {}),
    },
    subjects,
    ...(expires !== undefined ? { expiresAt: contractInstant(expires) ?? expires } : {}),
    references: incidents,
  };
  return { ok: true, body };
}

/** Where a contract field lives in a CAP <alert>, for error details. */
const CAP_PATHS: [RegExp, (match: RegExpExecArray) => string][] = [
  [/^status$/, () => 'alert/status'],
  [/^category$/, () => 'alert/info/event'],
  [/^(urgency|severity|certainty|headline|description)$/, (m) => `alert/info/${m[1]}`],
  [/^expiresAt$/, () => 'alert/info/expires'],
  [/^tlp$/, () => `alert/info/parameter[${CAP_PARAMETER.tlp}]`],
  [/^(handlingCode|handlingConditions)$/, (m) => `alert/info/parameter[${m[1]}]`],
  [/^evaluation\.source$/, () => `alert/info/parameter[${CAP_PARAMETER.evaluationSource}]`],
  [/^evaluation\.information$/, () => `alert/info/parameter[${CAP_PARAMETER.evaluationInformation}]`],
  [/^evaluation$/, () => `alert/info/parameter[${CAP_PARAMETER.evaluationSource}]`],
  [/^distribution\.scope$|^distribution$/, () => 'alert/scope'],
  [/^distribution\.recipients(\[\d+\])?$/, () => 'alert/addresses'],
  [/^distribution\.sharingGroups\[(\d+)\]$/, (m) => `alert/info/parameter[${CAP_PARAMETER.sharingGroup}][${m[1]}]`],
  [/^distribution\.sharingGroups$/, () => `alert/info/parameter[${CAP_PARAMETER.sharingGroup}]`],
  [/^location\.country$|^location$/, () => `alert/info/area/geocode[${GEOCODE_COUNTRY}]`],
  [/^location\.place$/, () => 'alert/info/area/areaDesc'],
  [/^location\.(lat|lon)$/, () => 'alert/info/area/circle'],
  [
    /^subjects\[(\d+)\](?:\.(.+))?$/,
    (m) => `alert/info/parameter[${CAP_PARAMETER.subject}][${m[1]}]/value${m[2] ? ` (${m[2]})` : ''}`,
  ],
  [/^subjects$/, () => `alert/info/parameter[${CAP_PARAMETER.subject}]`],
  [/^references(\[\d+\])?$/, () => 'alert/incidents'],
];

export function capPathOf(jsonPath: string): string {
  for (const [pattern, path] of CAP_PATHS) {
    const match = pattern.exec(jsonPath);
    if (match) return path(match);
  }
  return jsonPath === '' ? 'alert' : jsonPath;
}
