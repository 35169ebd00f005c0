import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsISO8601, IsObject, IsOptional, IsString, Length } from 'class-validator';

export class RegisterSigningKeyRequest {
  @ApiPropertyOptional({
    description:
      'The Ed25519 public key as a JWK (RFC 8037): {"kty":"OKP","crv":"Ed25519","x":"…"}. Give this or publicKeyPem.',
    example: { kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' },
  })
  @IsOptional()
  @IsObject()
  jwk?: Record<string, unknown>;

  @ApiPropertyOptional({
    description: 'The Ed25519 public key as SPKI PEM ("-----BEGIN PUBLIC KEY-----…"). Give this or jwk.',
  })
  @IsOptional()
  @IsString()
  @Length(1, 1000)
  publicKeyPem?: string;

  @ApiPropertyOptional({
    description: 'When the key starts to be accepted (default: now)',
    example: '2026-12-01T00:00:00Z',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  validFrom?: string;

  @ApiPropertyOptional({
    description: 'When the key stops being accepted (default: never)',
    example: '2027-12-01T00:00:00Z',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  validUntil?: string;

  @ApiPropertyOptional({
    description:
      "Rotation: the kid of the agency's key this one replaces; that key stops being accepted at this key's validFrom",
  })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  replaces?: string;
}

export class RevokeSigningKeyRequest {
  @ApiPropertyOptional({
    description: 'From when the key is revoked (default: now); may be in the past, e.g. when it was compromised',
    example: '2026-12-01T00:00:00Z',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  revokedAt?: string;

  @ApiPropertyOptional({ example: 'key compromised' })
  @IsOptional()
  @IsString()
  @Length(1, 500)
  reason?: string;
}

export class SigningPolicyRequest {
  @ApiProperty({ description: 'true: every alert and update the agency sends must carry a valid Alert-Signature' })
  @IsBoolean()
  requireSignatures: boolean;
}
