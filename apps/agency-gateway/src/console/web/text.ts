/**
 * Every text the console's script writes on the page (the static ones are in index.html): one place to read them,
 * and to translate them later.
 */
export const TEXT = {
  status: {
    signedOut: 'signed out',
    connecting: 'connecting\u2026',
    live: 'live',
    reconnecting: 'reconnecting\u2026',
  },
  signIn: {
    enterKey: 'Enter an agency key.',
    notAgencyKey: 'This key is not an agency key.',
    gatewayAnswered: (status: number) => `The gateway answered HTTP ${status}.`,
    keyRejected: 'Your key is no longer accepted. Sign in again.',
    agencyName: (id: string, name: string) => `${id} \u2014 ${name}`,
  },
  list: {
    matchTitle: (text: string) => 'Match: ' + text,
    erasedTitle: 'Erased: the content of this alert was removed',
    cancelledTitle: (reason: string | undefined) => 'Cancelled' + (reason ? ': ' + reason : ''),
    erased: 'erased',
    cancelled: 'cancelled',
    yourAlert: (shortId: string) => 'your alert ' + shortId,
    from: (sender: string) => 'from ' + sender,
    version: (version: number) => 'v' + version,
    acked: (status: string) => '\u2713 ' + status,
    inboxCount: (count: number) => `(${count})`,
  },
  detail: {
    category: 'Category',
    status: 'Status',
    urgency: 'Urgency',
    severity: 'Severity',
    certainty: 'Certainty',
    handling: 'Handling',
    evaluation: 'Evaluation',
    scope: 'Scope',
    location: 'Location',
    expires: 'Expires',
    addressedTo: 'Addressed to',
    groups: 'Groups',
    references: 'References',
    canonical: (canonical: string) => ` (canonical ${canonical})`,
    matchNotice: 'Match notice',
    match: 'match',
    found: (when: string) => 'found ' + when,
    aboutYourAlert: (alertId: string) => 'about your alert ' + alertId,
    openYourAlert: 'Open your alert',
    delivered: (when: string) => 'delivered ' + when,
    posted: (when: string) => 'posted ' + when,
    cancelledBy: (sender: string, reason: string | undefined) =>
      `Cancelled by ${sender}${reason ? ': ' + reason : ''}. The content below is the last version you received.`,
    youCancelled: (reason: string | undefined) => `You cancelled this alert${reason ? ': ' + reason : ''}.`,
    erasedTitle: 'Erased alert',
    erasedNotice: (when: string) =>
      `The content of this alert was erased on ${when} (retention ended or a lawful request). Its identifiers, parties and times remain.`,
    noDeliveryYet: 'No delivery yet (routing takes a moment).',
    notYet: 'not yet',
    deliveredCell: (kind: string, version: number, when: string) => `${kind} v${version} \u00b7 ${when}`,
    ackCell: (status: string, version: number, when: string, note: string | undefined) =>
      `${status} (v${version}, ${when})` + (note ? ' \u2014 ' + note : ''),
  },
  actions: {
    acknowledgeVersion: (version: number) => 'Acknowledge v' + version,
    acknowledged: (version: number, status: string) => `Acknowledged v${version} as ${status}.`,
    forwarded: (alertId: string) => `Forwarded as alert ${alertId}.`,
    noForwardTlp: (tlp: string, originator: string | undefined) =>
      `Forwarding is not allowed: TLP:${tlp} alerts go only to the recipients the originator chose. Ask ${originator || 'the originator'} to add recipients.`,
    noForwardH2:
      'Forwarding is not allowed: handling code H2 forbids onward dissemination without the originator\u2019s permission.',
  },
  errors: {
    httpStatus: (status: number) => 'HTTP ' + status,
  },
  form: {
    newAlert: 'New alert',
    newVersionOf: (headline: string, baseVersion: number) => `New version of ${headline} (replaces v${baseVersion})`,
    postAlert: 'Post alert',
    postNewVersion: 'Post new version',
    remove: 'Remove',
    removeSubject: (type: string) => 'Remove this ' + type,
    noGroups: 'none defined',
  },
  /** Fields of each subject type, in form order: [field, label, input type]. */
  subjectFields: {
    container: [['number', 'Container number (ISO 6346)', 'text']],
    vehicle: [
      ['plate', 'Plate', 'text'],
      ['registrationCountry', 'Registration country', 'text'],
      ['vin', 'VIN', 'text'],
    ],
    person: [
      ['fullName', 'Full name', 'text'],
      ['dateOfBirth', 'Date of birth', 'date'],
      ['nationality', 'Nationality', 'text'],
      ['documentNumber', 'Document number', 'text'],
      ['documentCountry', 'Document country', 'text'],
    ],
    consignment: [
      ['substance', 'Substance', 'text'],
      ['quantityKg', 'Quantity (kg)', 'number'],
      ['concealment', 'Concealment', 'text'],
    ],
    vessel: [['imo', 'IMO number', 'text']],
    phone: [['number', 'Phone number', 'text']],
  } as Record<string, [field: string, label: string, inputType: string][]>,
};
