import * as contracts from '@hub/contracts';
import { flattenValidationErrors } from './alert/validate';

describe('@hub/contracts', () => {
  it('exports the topics, messages, alert contract, domain checks and routing policy from one place', () => {
    expect(contracts.Topic.AlertsSubmitted).toBe('alerts.submitted.v1');
    expect(typeof contracts.AlertSubmittedMessage).toBe('function');
    expect(typeof contracts.AgencyRecord).toBe('function');
    expect(contracts.AuditEventType.RoutingDecided).toBe('routing.decided');
    expect(typeof contracts.SubmitAlertRequest).toBe('function');
    expect(typeof contracts.validateContent).toBe('function');
    expect(contracts.isIso6346('CSQU3054383')).toBe(true);
    expect(typeof contracts.IsIsoCountry).toBe('function');
    expect(typeof contracts.RoutingPolicy.decideRecipients).toBe('function');
    expect(contracts.RoutingReason.RecalledByUpdate).toBe('RECALLED_BY_UPDATE');
    expect(contracts.forwardAllowed({ tlp: 'RED', handlingCode: 'H0' })).toBe(false);
  });

  it('exports the flattener that reports list entries by index', () => {
    expect(contracts.flattenValidationErrors).toBe(flattenValidationErrors);
  });
});
