import { SqlRunner } from '@hub/database/sql-runner';
import { PublicEd25519Jwk, SigningKeyState } from './signing-key';

export interface SigningKeyRow extends SigningKeyState {
  revocationReason: string | null;
  registeredBy: string;
  createdAt: Date;
}

interface RawRow {
  kid: string;
  agency_id: string;
  public_jwk: PublicEd25519Jwk;
  valid_from: Date;
  valid_until: Date | null;
  revoked_at: Date | null;
  revocation_reason: string | null;
  registered_by: string;
  created_at: Date;
}

const COLUMNS = `kid, agency_id, public_jwk, valid_from, valid_until, revoked_at, revocation_reason, registered_by, created_at`;

function row(raw: RawRow): SigningKeyRow {
  return {
    kid: raw.kid,
    agencyId: raw.agency_id,
    jwk: raw.public_jwk,
    validFrom: raw.valid_from,
    validUntil: raw.valid_until,
    revokedAt: raw.revoked_at,
    revocationReason: raw.revocation_reason,
    registeredBy: raw.registered_by,
    createdAt: raw.created_at,
  };
}

/** The signing_keys and signing_policies tables: one agency's origin-signing keys and its policy. */
export class SigningKeysRepository {
  constructor(private readonly db: SqlRunner) {}

  async insert(
    key: Omit<SigningKeyRow, 'createdAt' | 'revokedAt' | 'revocationReason'>,
  ): Promise<SigningKeyRow | null> {
    const rows: RawRow[] = await this.db.query(
      `INSERT INTO gateway.signing_keys (kid, agency_id, public_jwk, valid_from, valid_until, registered_by)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (kid) DO NOTHING RETURNING ${COLUMNS}`,
      [key.kid, key.agencyId, JSON.stringify(key.jwk), key.validFrom, key.validUntil, key.registeredBy],
    );
    return rows.length > 0 ? row(rows[0]) : null;
  }

  async find(kid: string, forUpdate = false): Promise<SigningKeyRow | null> {
    const rows: RawRow[] = await this.db.query(
      `SELECT ${COLUMNS} FROM gateway.signing_keys WHERE kid = $1${forUpdate ? ' FOR UPDATE' : ''}`,
      [kid],
    );
    return rows.length > 0 ? row(rows[0]) : null;
  }

  async listFor(agencyId: string): Promise<SigningKeyRow[]> {
    const rows: RawRow[] = await this.db.query(
      `SELECT ${COLUMNS} FROM gateway.signing_keys WHERE agency_id = $1 ORDER BY created_at, kid`,
      [agencyId],
    );
    return rows.map(row);
  }

  async endValidity(kid: string, validUntil: Date): Promise<void> {
    await this.db.query(
      `UPDATE gateway.signing_keys SET valid_until = LEAST(COALESCE(valid_until, $2), $2) WHERE kid = $1`,
      [kid, validUntil],
    );
  }

  async revoke(kid: string, revokedAt: Date, reason: string | null): Promise<void> {
    await this.db.query(`UPDATE gateway.signing_keys SET revoked_at = $2, revocation_reason = $3 WHERE kid = $1`, [
      kid,
      revokedAt,
      reason,
    ]);
  }

  async requiresSignatures(agencyId: string): Promise<boolean> {
    const rows: { require_signatures: boolean }[] = await this.db.query(
      `SELECT require_signatures FROM gateway.signing_policies WHERE agency_id = $1`,
      [agencyId],
    );
    return rows[0]?.require_signatures ?? false;
  }

  async setPolicy(agencyId: string, requireSignatures: boolean): Promise<void> {
    await this.db.query(
      `INSERT INTO gateway.signing_policies (agency_id, require_signatures, updated_at) VALUES ($1, $2, now())
       ON CONFLICT (agency_id) DO UPDATE SET require_signatures = EXCLUDED.require_signatures, updated_at = now()`,
      [agencyId, requireSignatures],
    );
  }
}
