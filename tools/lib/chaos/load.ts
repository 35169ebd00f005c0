import { randomUUID } from 'node:crypto';
import { createClient, openEventStream } from '../bench/http';
import { log, sleep } from './common';

/** An agency of the chaos run, with its agency key; `sends` when its clients post alerts. */
export interface ChaosAgency {
  id: string;
  key: string;
  sends: boolean;
}

type VersionKind = 'alert' | 'update' | 'cancel';

/** An alert a client was promised (202), with every version it was promised since and whom they are for. */
export interface LedgerAlert {
  alertId: string;
  sender: string;
  recipients: string[];
  body: Record<string, any>;
  version: number;
  versions: { version: number; kind: VersionKind }[];
  acceptedAt: number;
  busy?: boolean;
  cancelled?: boolean;
}

export interface Ledger {
  alerts: Map<string, LedgerAlert>;
  submissions: { idempotencyKey: string; body: Record<string, any>; response: any; sender: ChaosAgency }[];
  acks: { alertId: string; version: number; agency: string }[];
  statuses: { at: number; status: number }[];
  /** Per agency, the `alertId:version` of every delivery its inbox stream showed. */
  streamed: Map<string, Set<string>>;
  retriedTo202: number;
}

export interface StreamState {
  lastId: string | null;
  reconnects: number;
  duplicates: number;
  stream: ReturnType<typeof openEventStream> | null;
}

/** One (alert, version, recipient) delivery an accepted version owes. */
export interface ExpectedDelivery {
  alertId: string;
  version: number;
  kind: VersionKind;
  recipient: string;
}

export interface Load {
  ledger: Ledger;
  streams: StreamState[];
  expected(): ExpectedDelivery[];
  notYetStreamed(): ExpectedDelivery[];
  stop(): Promise<void>;
}

const retryable = (status: number) => status === 0 || status === 409 || status === 429 || status >= 500;

/**
 * The load and its ledger: every alert version a client was promised (202), whom it is for, every delivery seen on
 * the streams, every status with its time. `clients` clients post, update and cancel; one inbox stream per agency.
 */
export function createLoad({
  gateways,
  agencies,
  clients,
}: {
  gateways: string[];
  agencies: ChaosAgency[];
  clients: number;
}): Load {
  const http = gateways.map((url) => createClient(url, { maxSockets: 64 }));
  const ledger: Ledger = {
    alerts: new Map(),
    submissions: [],
    acks: [],
    statuses: [],
    streamed: new Map(),
    retriedTo202: 0,
  };
  let stopping = false;
  const senders = agencies.filter((a) => a.sends);

  async function request(
    method: string,
    urlPath: string,
    { key, body, headers }: { key: string; body?: unknown; headers?: Record<string, string> },
    gatewayIndex: number,
  ) {
    const at = Date.now();
    let response: { status: number; body: any };
    try {
      response = await http[gatewayIndex % http.length].request(method, urlPath, {
        key,
        body,
        headers,
        timeoutMs: 10_000,
      });
    } catch {
      response = { status: 0, body: null };
    }
    ledger.statuses.push({ at, status: response.status });
    return response;
  }

  /** Submits until 202, switching gateway replica on every retry, with the same Idempotency-Key and body. */
  async function submit(sender: ChaosAgency, body: Record<string, any>, n: number) {
    const idempotencyKey = randomUUID();
    let backoff = 100;
    for (let attempt = 0; attempt < 200; attempt++) {
      const response = await request(
        'POST',
        '/v1/alerts',
        { key: sender.key, body, headers: { 'idempotency-key': idempotencyKey } },
        n + attempt,
      );
      if (response.status === 202) {
        if (attempt > 0) ledger.retriedTo202++;
        ledger.submissions.push({ idempotencyKey, body, response: response.body, sender });
        return response.body as { alertId: string };
      }
      if (!retryable(response.status))
        throw new Error(`submission refused ${response.status} ${JSON.stringify(response.body)}`);
      await sleep(backoff);
      backoff = Math.min(backoff * 2, 2000);
    }
    throw new Error('submission never accepted');
  }

  /** An update or cancel: on an ambiguous answer followed by 409, the sender's view tells whether it took effect. */
  async function change(
    sender: ChaosAgency,
    alert: LedgerAlert,
    kind: 'update' | 'cancel',
    n: number,
  ): Promise<number> {
    const body =
      kind === 'update'
        ? { ...alert.body, headline: `${alert.body.headline} (upd)`.slice(0, 160), baseVersion: alert.version }
        : { reason: 'Cleared after inspection' };
    const urlPath = kind === 'update' ? `/v1/alerts/${alert.alertId}/versions` : `/v1/alerts/${alert.alertId}/cancel`;
    let ambiguous = false;
    let backoff = 100;
    for (let attempt = 0; attempt < 200; attempt++) {
      const response = await request('POST', urlPath, { key: sender.key, body }, n + attempt);
      if (response.status === 202) return response.body.version;
      if (response.status === 409 && ambiguous) {
        const view = await request('GET', `/v1/alerts/${alert.alertId}`, { key: sender.key }, n + attempt + 1);
        if (view.status === 200 && view.body.version === alert.version + 1) return view.body.version;
      }
      if (response.status === 0 || response.status >= 500) ambiguous = true;
      else if (!retryable(response.status))
        throw new Error(`${kind} refused ${response.status} ${JSON.stringify(response.body)}`);
      await sleep(backoff);
      backoff = Math.min(backoff * 2, 2000);
    }
    throw new Error(`${kind} never accepted`);
  }

  let seq = 0;
  /** Three in ten regional (GREEN), two RED to one recipient, five AMBER to two. */
  function newAlertBody(sender: ChaosAgency): { body: Record<string, any>; recipients: string[] } {
    const others = agencies.filter((a) => a.id !== sender.id);
    const roll = seq++ % 10;
    const pick = (count: number) =>
      others
        .slice()
        .sort(() => Math.random() - 0.5)
        .slice(0, count)
        .map((a) => a.id);
    const base = {
      status: 'exercise',
      category: 'suspicious-shipment',
      urgency: 'expected',
      severity: 'moderate',
      certainty: 'likely',
      headline: `Chaos ${randomUUID().slice(0, 8)}`,
      description: 'Chaos run traffic.',
      handlingCode: 'H1',
      evaluation: { source: 'B', information: 2 },
      location: { country: sender.id.slice(0, 2), place: 'Border post' },
      subjects: [{ type: 'consignment', substance: 'heroin', quantityKg: 1 + (seq % 50) }],
      references: [],
    };
    if (roll < 3)
      return {
        body: { ...base, tlp: 'GREEN', distribution: { scope: 'regional', recipients: [], sharingGroups: [] } },
        recipients: others.map((a) => a.id),
      };
    const recipients = pick(roll < 5 ? 1 : 2);
    const tlp = roll < 5 ? 'RED' : 'AMBER';
    return { body: { ...base, tlp, distribution: { scope: 'restricted', recipients, sharingGroups: [] } }, recipients };
  }

  async function client(n: number): Promise<void> {
    while (!stopping) {
      const sender = senders[n % senders.length];
      const own = [...ledger.alerts.values()].filter((a) => a.sender === sender.id && !a.cancelled && !a.busy);
      const roll = Math.random();
      try {
        if (roll < 0.15 && own.length) {
          const alert = own[Math.floor(Math.random() * own.length)];
          alert.busy = true;
          const version = await change(sender, alert, 'update', n);
          alert.versions.push({ version, kind: 'update' });
          alert.version = version;
          alert.busy = false;
        } else if (roll < 0.22 && own.length) {
          const alert = own[Math.floor(Math.random() * own.length)];
          alert.busy = true;
          const version = await change(sender, alert, 'cancel', n);
          alert.versions.push({ version, kind: 'cancel' });
          alert.version = version;
          alert.cancelled = true;
        } else {
          const { body, recipients } = newAlertBody(sender);
          const accepted = await submit(sender, body, n);
          ledger.alerts.set(accepted.alertId, {
            alertId: accepted.alertId,
            sender: sender.id,
            recipients,
            body,
            version: 1,
            versions: [{ version: 1, kind: 'alert' }],
            acceptedAt: Date.now(),
          });
        }
      } catch (error) {
        log(`client ${n}: ${(error as Error).message}`);
      }
      await sleep(300);
    }
  }

  /** One stream per agency; on loss it reconnects to the other gateway replica from Last-Event-ID. */
  const streams = agencies.map((agency, index) => {
    const state: StreamState = { lastId: null, reconnects: 0, stream: null, duplicates: 0 };
    const seen = new Set<string>();
    ledger.streamed.set(agency.id, seen);
    const connect = (attempt: number) => {
      if (stopping) return;
      const onEvent = (
        _event: string,
        data: { alertId?: string; version?: number; kind?: string } | null,
        _arrived: number,
        id: string | null,
      ) => {
        if (id) state.lastId = id;
        if (!data || !data.alertId) return;
        const deliveryKey = `${data.alertId}:${data.version}`;
        if (seen.has(deliveryKey)) state.duplicates++;
        seen.add(deliveryKey);
        if (data.kind === 'alert' && Math.random() < 0.5) {
          const alertId = data.alertId;
          const version = data.version as number;
          void request(
            'POST',
            `/v1/alerts/${alertId}/ack`,
            { key: agency.key, body: { version, status: 'received' } },
            attempt,
          ).then((r) => {
            if (r.status === 202) ledger.acks.push({ alertId, version, agency: agency.id });
          });
        }
      };
      let retried = false;
      const retry = (): void => {
        if (retried || stopping) return;
        retried = true;
        state.reconnects++;
        state.stream?.close();
        setTimeout(() => connect(attempt + 1), 1000);
      };
      state.stream = openEventStream(
        gateways[(index + attempt) % gateways.length],
        '/v1/inbox/stream',
        agency.key,
        onEvent,
        {
          onError: retry,
          headers: state.lastId ? { 'last-event-id': state.lastId } : {},
        },
      );
      state.stream.ready.catch(retry);
    };
    connect(0);
    return state;
  });

  const running = Promise.all(Array.from({ length: clients }, (_, n) => client(n)));
  const expected = (): ExpectedDelivery[] => {
    const deliveries: ExpectedDelivery[] = [];
    for (const alert of ledger.alerts.values()) {
      for (const v of alert.versions)
        for (const r of alert.recipients)
          deliveries.push({ alertId: alert.alertId, version: v.version, kind: v.kind, recipient: r });
    }
    return deliveries;
  };
  return {
    ledger,
    streams,
    expected,
    notYetStreamed: () => expected().filter((d) => !ledger.streamed.get(d.recipient)?.has(`${d.alertId}:${d.version}`)),
    async stop() {
      stopping = true;
      await running;
      for (const s of streams) s.stream?.close();
      for (const c of http) c.close();
    },
  };
}
