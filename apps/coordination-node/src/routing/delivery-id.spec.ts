import { deliveryIdFor } from './delivery-id';

describe('deliveryIdFor', () => {
  const alertId = '3f1f0c4e-9c1a-4e55-8d3c-2a7a1f6b9e01';

  it('is stable for the same alert, version and recipient', () => {
    expect(deliveryIdFor(alertId, 1, 'TJ-DCA')).toBe(deliveryIdFor(alertId, 1, 'TJ-DCA'));
  });

  it('differs when any part differs', () => {
    const ids = new Set([
      deliveryIdFor(alertId, 1, 'TJ-DCA'),
      deliveryIdFor(alertId, 2, 'TJ-DCA'),
      deliveryIdFor(alertId, 1, 'KG-BS'),
    ]);
    expect(ids.size).toBe(3);
  });

  it('is a well-formed version 5 UUID', () => {
    expect(deliveryIdFor(alertId, 7, 'UZ-NIC')).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });
});
