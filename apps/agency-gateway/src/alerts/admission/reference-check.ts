import { Injectable } from '@nestjs/common';
import { Principal } from '@hub/auth/principal';
import { FieldError } from '@hub/platform/errors';
import { AlertsRepository } from '../persistence/alerts.repository';

/** A reference must name an alert the sender may see: its own, or one delivered to it. */
@Injectable()
export class ReferenceCheck {
  constructor(private readonly alerts: AlertsRepository) {}

  async referenceErrors(principal: Principal, references: string[]): Promise<FieldError[]> {
    if (references.length === 0) return [];
    const seen = await this.alerts.visibleTo(principal.agencyId, references);
    return references.flatMap((id, i) =>
      seen.has(id) ? [] : [{ path: `references[${i}]`, message: `no alert ${id} that you can see` }],
    );
  }
}
