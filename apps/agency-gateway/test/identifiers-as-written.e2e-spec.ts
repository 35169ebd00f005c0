import {
  alertBody,
  awaitDeliveries,
  createAgency,
  senderView,
  submitAccepted,
  submitAlert,
  TestAgency,
  uniqueContainerNumber,
} from '@hub/testing';

/** A valid container number written the way officers do: lower case, a space and a dash before the check digit. */
function writtenContainer(): { written: string; canonical: string } {
  const canonical = uniqueContainerNumber();
  return {
    written: `${canonical.slice(0, 4).toLowerCase()} ${canonical.slice(4, 10)}-${canonical.slice(10)}`,
    canonical,
  };
}

describe('identifiers and bodies as people write them (POST /v1/alerts)', () => {
  let sender: TestAgency;
  let recipient: TestAgency;

  beforeAll(async () => {
    [sender, recipient] = await Promise.all([createAgency('TJ'), createAgency('KG')]);
  });

  it('accepts written identifiers, keeps them as written with the canonical form beside them, for the sender and the recipient', async () => {
    const container = writtenContainer();
    const subjects = [
      { type: 'container', number: container.written },
      { type: 'vessel', imo: 'IMO 9074729' },
      { type: 'phone', number: '+992 93 555-12-34' },
      { type: 'vehicle', plate: '01 kg 123 abc', registrationCountry: 'KG' },
    ];
    const expected = [
      { ...subjects[0], canonical: container.canonical },
      { ...subjects[1], canonical: 'IMO9074729' },
      { ...subjects[2], canonical: '+992935551234' },
      { ...subjects[3], canonical: '01KG123ABC' },
    ];
    const accepted = await submitAccepted(
      sender.key,
      alertBody([recipient.id], { subjects, expiresAt: new Date(Date.now() + 86400000).toISOString() }),
    );

    const own = await senderView(sender.key, accepted.alertId);
    expect(own.status).toBe(200);
    expect(own.body.alert.subjects).toEqual(expected);
    const [delivered] = await awaitDeliveries(recipient.key, accepted.alertId, (entries) => entries.length === 1);
    expect(delivered.alert!.subjects).toEqual(expected);
  });

  it.each([
    [
      'a container check digit',
      { type: 'container', number: 'csqu 305438-4' },
      'subjects[0].number',
      /check digit is wrong \(expected 3\)/,
    ],
    [
      'an IMO check digit',
      { type: 'vessel', imo: 'imo 9074728' },
      'subjects[0].imo',
      /check digit is wrong \(expected 9\)/,
    ],
    [
      'a phone number without its country code',
      { type: 'phone', number: '93 555-12-34' },
      'subjects[0].number',
      /E\.164/,
    ],
  ])('still refuses %s, naming the field', async (_what, subject, path, message) => {
    const response = await submitAlert(sender.key, alertBody([recipient.id], { subjects: [subject] }));
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('validation_failed');
    expect(response.body.details).toEqual([{ path, message: expect.stringMatching(message) }]);
  });

  it('refuses a canonical form sent by the client: the hub stamps it', async () => {
    const response = await submitAlert(
      sender.key,
      alertBody([recipient.id], { subjects: [{ type: 'container', number: 'CSQU3054383', canonical: 'CSQU3054383' }] }),
    );
    expect(response.status).toBe(400);
    expect(response.body.details).toEqual([
      { path: 'subjects[0].canonical', message: 'is stamped by the hub and must not be sent' },
    ]);
  });

  it('reads absent recipients, sharing groups and references as empty', async () => {
    const body = alertBody([], { distribution: { scope: 'regional' } });
    delete body.references;
    const accepted = await submitAccepted(sender.key, body);
    const own = await senderView(sender.key, accepted.alertId);
    expect(own.body.alert.distribution).toEqual({ scope: 'regional', recipients: [], sharingGroups: [] });
    expect(own.body.alert.references).toEqual([]);
    // Regional: it reaches the other agency like any regional alert.
    await awaitDeliveries(recipient.key, accepted.alertId, (entries) => entries.length === 1);
  });
});
