import { createHash, randomUUID } from 'node:crypto';
import { TlpLevel } from '@hub/contracts/alert/enums';
import { withoutHubStampedSubjectFields } from '@hub/contracts/alert/subjects';
import { InterchangeView } from './interchange-view';

/**
 * The TLP 2.0 marking definitions as published by OASIS (cti-stix-common-objects, extension-definition--60a3c5c5…):
 * consumers recognise them by id, so they are referenced by these ids and included verbatim.
 */
export const TLP2_EXTENSION = 'extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d';
export const TLP2_MARKING_IDS: Record<TlpLevel, string> = {
  CLEAR: 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487',
  GREEN: 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb',
  AMBER: 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421',
  'AMBER+STRICT': 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003',
  RED: 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1',
};

export function tlpMarkingDefinition(tlp: TlpLevel): Record<string, unknown> {
  return {
    type: 'marking-definition',
    spec_version: '2.1',
    id: TLP2_MARKING_IDS[tlp],
    created: '2022-10-01T00:00:00.000Z',
    name: `TLP:${tlp}`,
    extensions: { [TLP2_EXTENSION]: { extension_type: 'property-extension', tlp_2_0: tlp.toLowerCase() } },
  };
}

/** The hub's namespace for name-based (v5) STIX ids: the same alert version, agency or place gets the same id. */
const HUB_NAMESPACE = '4c1b3f0e-6a0d-5b8e-9f21-7e1d2c3b4a50';

function uuidV5(name: string, namespace = HUB_NAMESPACE): string {
  const hash = createHash('sha1')
    .update(Buffer.from(namespace.replace(/-/g, ''), 'hex'))
    .update(name, 'utf8')
    .digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** STIX timestamps: RFC 3339 in UTC with millisecond precision. */
const stixTime = (iso: string) => new Date(iso).toISOString();

export function agencyIdentityId(agencyId: string): string {
  return `identity--${uuidV5(`agency:${agencyId}`)}`;
}

/**
 * One alert version as a STIX 2.1 bundle: a `report` (one per version, id derived from alertId and version; a cancel
 * is a report with `revoked: true`), `created_by_ref` the sending agency as an `identity`, the TLP 2.0 marking, the
 * location as a `location`, persons as `identity` (identity_class individual). STIX has no cyber-observable for
 * containers, vehicles, vessels, consignments or phone numbers: those subjects travel in `x_hub_alert.subjects`, with
 * everything else of the contract (docs/interchange.md).
 */
export function toStixBundle(view: InterchangeView): Record<string, unknown> {
  const at = stixTime(view.at);
  const sender = agencyIdentityId(view.sender);
  const identity = {
    type: 'identity',
    spec_version: '2.1',
    id: sender,
    created: at,
    modified: at,
    name: view.sender,
    identity_class: 'organization',
  };
  const objects: Record<string, unknown>[] = [identity];
  const content = view.alert;
  const reportId = `report--${uuidV5(`alert:${view.alertId}:${view.version}`)}`;
  const common = { spec_version: '2.1', created: at, modified: at, created_by_ref: sender };
  const refs: string[] = [sender];
  const marking = content ? [TLP2_MARKING_IDS[content.tlp]] : [];
  if (content) {
    objects.push(tlpMarkingDefinition(content.tlp));
    const location = {
      type: 'location',
      id: `location--${uuidV5(`alert:${view.alertId}:${view.version}:location`)}`,
      ...common,
      ...(content.location.place ? { name: content.location.place } : {}),
      country: content.location.country,
      ...(typeof content.location.lat === 'number' && typeof content.location.lon === 'number'
        ? { latitude: content.location.lat, longitude: content.location.lon }
        : {}),
      object_marking_refs: marking,
    };
    objects.push(location);
    refs.push(location.id);
    content.subjects.forEach((subject, index) => {
      if (subject.type !== 'person') return;
      const person = {
        type: 'identity',
        id: `identity--${uuidV5(`alert:${view.alertId}:${view.version}:subject:${index}`)}`,
        ...common,
        name: subject.fullName,
        identity_class: 'individual',
        object_marking_refs: marking,
      };
      objects.push(person);
      refs.push(person.id);
    });
  }
  const report = {
    type: 'report',
    id: reportId,
    ...common,
    name: content?.headline ?? `Alert ${view.alertId} ${view.kind === 'cancel' ? 'cancelled' : 'withdrawn'}`,
    ...(content?.description ? { description: content.description } : {}),
    report_types: ['threat-report'],
    published: at,
    object_refs: refs,
    ...(content ? { labels: [content.category], object_marking_refs: marking } : {}),
    ...(view.kind === 'cancel' ? { revoked: true } : {}),
    external_references: [
      {
        source_name: 'alert-exchange-hub',
        external_id: `${view.alertId}.v${view.version}`,
        description: `alert ${view.alertId} version ${view.version}`,
      },
    ],
    x_hub_alert: {
      alertId: view.alertId,
      version: view.version,
      kind: view.kind,
      sender: view.sender,
      cancelReason: view.cancelReason,
      signature: view.signature,
      ...(content
        ? {
            content: { ...content, subjects: withoutHubStampedSubjectFields(content.subjects) },
          }
        : {}),
    },
  };
  objects.push(report);
  return { type: 'bundle', id: `bundle--${randomUUID()}`, objects };
}
