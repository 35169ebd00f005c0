import { AclOperationTypes, AclResourceTypes, ResourcePatternTypes } from 'kafkajs';
import {
  AUDIT_TOPIC_OF,
  AUDIT_TOPICS,
  HUB_SERVICES,
  HubService,
  producerOfAuditTopic,
  Topic,
  TOPIC_SPECS,
} from '@hub/contracts/topics';
import { aclBindingsOf, KAFKA_ACCESS, topicsOf } from './kafka-access';

const writers = (topic: Topic) => HUB_SERVICES.filter((service) => KAFKA_ACCESS[service].writes.includes(topic));

describe('KAFKA_ACCESS: who may write and read which topic', () => {
  it('lets only the gateway write reference data, credentials and submissions', () => {
    for (const topic of [Topic.Agencies, Topic.Credentials, Topic.SharingGroups, Topic.AlertsSubmitted]) {
      expect(writers(topic)).toEqual([HubService.AgencyGateway]);
    }
  });

  it('lets only the coordination node write routing outcomes and match notices, and nobody the superseded deliveries topic', () => {
    expect(writers(Topic.AlertsRouted)).toEqual([HubService.CoordinationNode]);
    expect(writers(Topic.AlertsDelivered)).toEqual([]);
    expect(writers(Topic.MatchNotices)).toEqual([HubService.CoordinationNode]);
  });

  it('gives each audit topic exactly one writer, the service it is named for, and each service exactly one audit topic', () => {
    for (const service of HUB_SERVICES) {
      expect(writers(AUDIT_TOPIC_OF[service])).toEqual([service]);
      expect(KAFKA_ACCESS[service].writes.filter((topic) => AUDIT_TOPICS.includes(topic))).toEqual([
        AUDIT_TOPIC_OF[service],
      ]);
      expect(producerOfAuditTopic(AUDIT_TOPIC_OF[service])).toBe(service);
    }
    expect(producerOfAuditTopic(Topic.Credentials)).toBeUndefined();
  });

  it('lets the audit log and the node read every audit topic, and nobody but the node read submissions', () => {
    for (const service of [HubService.AuditLog, HubService.CoordinationNode])
      expect(KAFKA_ACCESS[service].reads).toEqual(expect.arrayContaining([...AUDIT_TOPICS]));
    expect(HUB_SERVICES.filter((service) => KAFKA_ACCESS[service].reads.includes(Topic.AlertsSubmitted))).toEqual([
      HubService.CoordinationNode,
    ]);
  });

  it('names only topics of the contract, and grants no Create, Alter, Delete or cluster permission', () => {
    const contract = TOPIC_SPECS.map((spec) => spec.topic);
    for (const service of HUB_SERVICES) {
      for (const topic of topicsOf(service)) expect(contract).toContain(topic);
      for (const binding of aclBindingsOf(service)) {
        expect([AclOperationTypes.READ, AclOperationTypes.WRITE]).toContain(binding.operation);
        expect([AclResourceTypes.TOPIC, AclResourceTypes.GROUP]).toContain(binding.resourceType);
        if (binding.resourceType === AclResourceTypes.TOPIC)
          expect(binding.resourcePatternType).toBe(ResourcePatternTypes.LITERAL);
        expect(binding.principal).toBe(`User:${service}`);
      }
    }
  });
});
