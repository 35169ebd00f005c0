/**
 * Realistic alert bodies for the benchmark: the same content goes over HTTP to the gateway (end to end) and,
 * wrapped as an AlertSubmittedMessage, straight into Kafka (baseline). About 1.5 KB of JSON per message.
 */
import { randomUUID } from 'node:crypto';
import { iso6346CheckDigit } from '@hub/contracts/domain/iso6346';

/** The countries the synthetic agencies and alerts come from. */
export const COUNTRIES = [
  'TJ',
  'KG',
  'KZ',
  'UZ',
  'TM',
  'AZ',
  'RU',
  'AF',
  'CN',
  'IR',
  'PK',
  'MN',
  'GE',
  'AM',
  'TR',
  'BY',
];
const PLACES = [
  'Nizhny Pyanj',
  'Khorgos Gateway dry port',
  'Termez',
  'Osh',
  'Port of Baku (Alat)',
  'Troitsk',
  'Dostyk',
  'Irkeshtam',
];
const SUBSTANCES = ['heroin', 'opium', 'hashish', 'methamphetamine', 'acetic anhydride'];

/** ISO 6346 container number with a valid check digit (owner code + U + 6 digits), by the contracts' own rule. */
export function containerNumber(n: number): string {
  const owner = ['CSQU', 'MSCU', 'TGHU', 'HLXU', 'MAEU'][n % 5];
  const serial = String(100000 + ((n * 7919) % 900000)).padStart(6, '0');
  return `${owner}${serial}${iso6346CheckDigit(owner + serial)}`;
}

/** The alert content an agency submits (POST /v1/alerts body); `n` varies the text. */
export function alertContent(n: number, recipients: string[]) {
  const from = COUNTRIES[n % 8];
  const substance = SUBSTANCES[n % SUBSTANCES.length];
  const kg = Math.round(((n % 400) + 5) * 10) / 10;
  return {
    status: 'exercise',
    category: 'seizure',
    urgency: 'immediate',
    severity: 'severe',
    certainty: 'observed',
    headline: `Benchmark ${n}: ${kg} kg of ${substance} seized at ${PLACES[n % PLACES.length]}`,
    description:
      `Synthetic benchmark alert ${n}. ${kg} kg of ${substance} found in a false floor of a truck trailer during a ` +
      'secondary inspection prompted by an X-ray anomaly. The driver, travelling on a foreign passport, was detained; ' +
      'the consignment was declared as dried fruit. Transit documents list an intermediate warehouse and a consignee ' +
      'linked to an earlier precursor case. Phone seized, forensic extraction pending. Partners on the route are asked ' +
      'to check the vehicle, the container and the phone number against their own holdings and report any matches.',
    tlp: 'AMBER',
    handlingCode: 'H1',
    evaluation: { source: 'B', information: 2 },
    distribution: { scope: 'restricted', recipients, sharingGroups: [] },
    location: { country: from, place: PLACES[n % PLACES.length], lat: 37.2, lon: 68.6 },
    subjects: [
      { type: 'vehicle', plate: `${7000 + (n % 2999)} AB 0${n % 9}`, registrationCountry: from },
      { type: 'container', number: containerNumber(n) },
      { type: 'consignment', substance, quantityKg: kg, concealment: 'false floor of the trailer' },
      { type: 'phone', number: `+99291${String(7000000 + (n % 2999999)).padStart(7, '0')}` },
    ],
    expiresAt: new Date(Date.now() + 30 * 24 * 3600 * 1000).toISOString(),
    references: [],
  };
}

/** What the gateway puts on alerts.submitted.v1 for that content (hub-stamped fields added). */
export function submittedMessage(n: number, sender: string, recipients: string[]) {
  return {
    messageId: randomUUID(),
    kind: 'alert',
    alertId: randomUUID(),
    version: 1,
    sender,
    senderKeyId: randomUUID().replace(/-/g, '').slice(0, 24),
    receivedAt: new Date().toISOString(),
    alert: alertContent(n, recipients),
  };
}
