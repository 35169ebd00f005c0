import { CredentialRecord } from '@hub/contracts/reference';

/** Where a service looks keys up: the gateway's own table, or another service's replica of Topic.Credentials. */
export abstract class CredentialStore {
  abstract findByKeyId(keyId: string): Promise<CredentialRecord | null>;
}

/** Present in every service's config: the admin key given by environment (HUB_ADMIN_KEY), or none. */
export abstract class BootstrapAdminKey {
  abstract readonly value: string | null;
}
