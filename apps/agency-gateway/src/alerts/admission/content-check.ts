import { Injectable } from '@nestjs/common';
import { Principal } from '@hub/auth/principal';
import { AlertContent } from '@hub/contracts/alert/alert-content';
import { hubStampedSubjectFieldErrors, stampCanonicalIdentifiers } from '@hub/contracts/alert/subjects';
import { parseContent } from '@hub/contracts/alert/validate';
import { FieldError } from '@hub/platform/errors';
import { ReferenceSnapshot } from '../../reference/reference.snapshot';
import { RoomsRepository } from '../../rooms/rooms.repository';
import { ReferenceCheck } from './reference-check';
import { Refusals } from './refusals';

/** Contract (class-validator) and domain/policy checks of an alert's content; each refusal is audited before the 400. */
@Injectable()
export class ContentCheck {
  constructor(
    private readonly reference: ReferenceSnapshot,
    private readonly references: ReferenceCheck,
    private readonly refusals: Refusals,
    private readonly rooms: RoomsRepository,
  ) {}

  async validContent<T extends AlertContent>(
    principal: Principal,
    alertId: string | null,
    body: unknown,
    cls: new () => T,
  ): Promise<T> {
    const parsed = await parseContent(body, cls);
    const stamped = hubStampedSubjectFieldErrors(body);
    if (!parsed.ok || stamped.length > 0) {
      const errors = [
        ...stamped,
        ...(parsed.ok ? [] : parsed.errors.filter((e) => !stamped.some((s) => s.path === e.path))),
      ];
      return this.refusals.refuse(principal, alertId, errors);
    }
    // Identifiers are kept as the officer wrote them, with their canonical form beside them.
    stampCanonicalIdentifiers(parsed.value.subjects);
    const now = new Date();
    const snapshot = await this.reference.load();
    const problems: FieldError[] = [
      ...snapshot.submissionErrors(
        parsed.value,
        principal.agencyId,
        now,
        await this.rooms.views(parsed.value.distribution.rooms ?? []),
      ),
      ...(await this.references.referenceErrors(principal, parsed.value.references ?? [])),
    ];
    if (problems.length > 0) return this.refusals.refuse(principal, alertId, problems);
    return parsed.value;
  }
}
