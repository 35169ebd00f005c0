import { AUDIT_EVENT_TYPES, AuditEventType } from './audit-event';
import { FACT_OWNERS, isFactOwnedBy } from './fact-owners';
import { HUB_SERVICES, HubService } from './topics';

describe('FACT_OWNERS: which service may state each fact type', () => {
  it('names at least one owner for every fact type', () => {
    for (const type of AUDIT_EVENT_TYPES) expect(FACT_OWNERS[type as AuditEventType].length).toBeGreaterThan(0);
  });

  it('lets only the node state routing decisions and correlations', () => {
    for (const type of [AuditEventType.RoutingDecided, AuditEventType.CorrelationFound]) {
      expect(HUB_SERVICES.filter((service) => isFactOwnedBy(type, service))).toEqual([HubService.CoordinationNode]);
    }
  });

  it('lets only the gateway state what happened to an alert and an inbox', () => {
    for (const type of [
      AuditEventType.AlertSubmitted,
      AuditEventType.AlertUpdated,
      AuditEventType.AlertCancelled,
      AuditEventType.AlertDelivered,
      AuditEventType.AlertAcked,
      AuditEventType.InboxRead,
      AuditEventType.AdminKeyIssued,
    ]) {
      expect(HUB_SERVICES.filter((service) => isFactOwnedBy(type, service))).toEqual([HubService.AgencyGateway]);
    }
  });

  it('lets every service state its own denials, queries and dead letters, and none publish an integrity alarm but the log', () => {
    for (const service of HUB_SERVICES) {
      expect(isFactOwnedBy(AuditEventType.AccessDenied, service)).toBe(true);
      expect(isFactOwnedBy(AuditEventType.MessageDeadLettered, service)).toBe(true);
    }
    expect(isFactOwnedBy(AuditEventType.IntegrityAlarm, HubService.AgencyGateway)).toBe(false);
  });

  it('owns no unknown type and no unknown service', () => {
    expect(isFactOwnedBy('alert.teleported', HubService.AgencyGateway)).toBe(false);
    expect(isFactOwnedBy(AuditEventType.AlertSubmitted, 'somebody')).toBe(false);
  });
});
