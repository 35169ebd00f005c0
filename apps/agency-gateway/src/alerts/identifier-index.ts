import { Injectable } from '@nestjs/common';
import { identifierKeyHash } from '@hub/merkle/content-commitment';
import { Identifier, identifiersOf } from '@hub/contracts/domain/identifiers';
import { GatewayConfig } from '../gateway.config';

/** What gateway.alert_identifiers holds of one version: its identifiers' keyed hashes, and until when it is active. */
export interface IndexedKeys {
  keyHashes: string[];
  expiresAt: string | null;
}

/**
 * The identifiers of alerts as POST /v1/hits compares them: the correlation engine's match keys (identifiersOf: the
 * same normalisers, persons across alphabets included), as keyed hashes (IDENTIFIER_HASH_KEY) — what the index and the
 * hits.queried facts hold instead of the identifiers.
 */
@Injectable()
export class IdentifierIndex {
  constructor(private readonly config: GatewayConfig) {}

  hashOf(identifier: Identifier): string {
    return identifierKeyHash(this.config.IDENTIFIER_HASH_KEY, identifier.kind, identifier.key);
  }

  /** The keyed hashes of the match keys of `subjects` (any shape: read defensively like identifiersOf). */
  hashesOf(subjects: unknown): string[] {
    return identifiersOf(subjects).map((identifier) => this.hashOf(identifier));
  }

  of(content: { subjects?: unknown; expiresAt?: string }): IndexedKeys {
    return { keyHashes: this.hashesOf(content.subjects), expiresAt: content.expiresAt ?? null };
  }
}
