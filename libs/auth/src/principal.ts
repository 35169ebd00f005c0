import { Role } from '@hub/contracts/audit-event';

/** Who is calling, from the credential. Never from the request body. */
export interface Principal {
  keyId: string;
  agencyId: string;
  role: Role;
}

export const ENV_ADMIN_KEY_ID = 'env-admin';
export const HUB_ADMIN_AGENCY = 'HUB';

export function actorOf(principal: Principal) {
  return { agencyId: principal.agencyId, keyId: principal.keyId, role: principal.role };
}
