import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AuditActor, AuditEvent, AuditEventType } from '@hub/contracts/audit-event';
import { AUDIT_TOPIC_OF, HubService } from '@hub/contracts/topics';
import { KAFKA_OPTIONS, KafkaModuleOptions } from './kafka.options';
import { KafkaProducer, OutgoingMessage } from './kafka.producer';

export type AuditFact = Omit<AuditEvent, 'eventId' | 'at' | 'details'> & {
  eventId?: string;
  at?: string;
  details?: Record<string, unknown>;
};

/** Builds audit events and, for facts that change no database state (reads, denials), publishes them directly. */
@Injectable()
export class AuditPublisher {
  constructor(
    private readonly producer: KafkaProducer,
    @Inject(KAFKA_OPTIONS) private readonly options: KafkaModuleOptions,
  ) {}

  /** Resolves once Kafka holds the events (acks=all); the caller answers 2xx only after that. */
  async publish(facts: AuditFact[]): Promise<void> {
    await this.producer.send(facts.map((fact) => auditMessage(this.options.service, fact)));
  }
}

export function auditEvent(fact: AuditFact): AuditEvent {
  return {
    ...fact,
    eventId: fact.eventId ?? randomUUID(),
    at: fact.at ?? new Date().toISOString(),
    details: fact.details ?? {},
  };
}

/**
 * An audit event on `service`'s own audit topic, the only one its principal may write (the audit log takes the
 * producing service from the topic). Keyed by alert when there is one, so one alert's facts stay in order on one
 * partition.
 */
export function auditMessage(service: HubService, fact: AuditFact): OutgoingMessage {
  const event = auditEvent(fact);
  return {
    topic: AUDIT_TOPIC_OF[service],
    key: event.alertId ?? event.actor.agencyId ?? event.actor.service ?? 'hub',
    value: event,
  };
}

export type { AuditActor, AuditEventType };
