import { Logger } from '@nestjs/common';
import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, Admin, ResourcePatternTypes } from 'kafkajs';
import { HubService } from '@hub/contracts/topics';
import { aclBindingsOf, principalOf } from './kafka-access';
import { createKafkaClient, KafkaCredentials, KafkaTls } from './kafka-client';
import { TopicAdmin } from './topic-admin';

export interface KafkaProvisioning {
  service: HubService;
  brokers: string[];
  /** A super user of the cluster (super.users): it creates topics and ACLs. */
  admin: KafkaCredentials;
  tls: KafkaTls;
  replicationFactor: number;
  minInsyncReplicas: number;
  /** retention.ms of the topics that carry alert content (TopicSpec.carriesContent); default 7 days. */
  contentRetentionMs?: number;
}

/**
 * The Kafka half of `main.js migrate`, as the admin principal: creates the contract's topics that are missing, brings
 * the configuration of existing ones to the declared values (retention.ms of content topics above all: a topic created
 * before the content policy kept 30 days), and sets the service's ACLs to exactly KAFKA_ACCESS[service]. Like the database migrations, it runs before the service
 * starts, so the service itself needs no Create or Alter permission. The SCRAM user itself is created with the
 * cluster (`kafka-storage format --add-scram`), since kafkajs cannot alter SCRAM credentials.
 */
export async function provisionKafka(provisioning: KafkaProvisioning): Promise<void> {
  const kafka = createKafkaClient(`${provisioning.service}-migrate`, {
    brokers: provisioning.brokers,
    credentials: provisioning.admin,
    tls: provisioning.tls,
  });
  await new TopicAdmin(kafka, provisioning).ensureTopics();
  const admin = kafka.admin();
  await admin.connect();
  try {
    await applyServiceAcls(admin, provisioning.service);
  } finally {
    await admin.disconnect();
  }
  new Logger('KafkaProvisioning').log(`topics ready; ACLs of ${principalOf(provisioning.service)} set`);
}

/**
 * Grants KAFKA_ACCESS[service] and then removes any other ACL of its principal (a permission taken out of the table
 * is revoked on the next migrate). Granting first means a running service never loses a permission it keeps.
 */
export async function applyServiceAcls(admin: Admin, service: HubService): Promise<void> {
  const wanted = aclBindingsOf(service);
  await admin.createAcls({ acl: wanted });
  const key = (b: {
    resourceType: number;
    resourceName: string;
    resourcePatternType: number;
    operation: number;
    permissionType: number;
    host: string;
  }) => [b.resourceType, b.resourceName, b.resourcePatternType, b.operation, b.permissionType, b.host].join('|');
  const wantedKeys = new Set(wanted.map(key));
  const { resources } = await admin.describeAcls({
    resourceType: AclResourceTypes.ANY,
    resourcePatternType: ResourcePatternTypes.ANY,
    principal: principalOf(service),
    operation: AclOperationTypes.ANY,
    permissionType: AclPermissionTypes.ANY,
  });
  const stale = resources.flatMap((resource) =>
    resource.acls
      .map((acl) => ({
        ...acl,
        resourceType: resource.resourceType,
        resourceName: resource.resourceName,
        resourcePatternType: resource.resourcePatternType,
      }))
      .filter((binding) => !wantedKeys.has(key(binding))),
  );
  if (stale.length > 0) await admin.deleteAcls({ filters: stale });
}
