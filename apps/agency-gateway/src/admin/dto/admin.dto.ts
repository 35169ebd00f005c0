import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsISO8601,
  IsOptional,
  IsString,
  Length,
  Matches,
} from 'class-validator';
import { ROLES, Role } from '@hub/contracts/audit-event';
import { AGENCY_ID_PATTERN, AGENCY_KINDS, AgencyKind } from '@hub/contracts/reference';
import { IsIsoCountry } from '@hub/contracts/domain/decorators';

export class CreateAgencyRequest {
  @ApiProperty({ example: 'TJ-DCA', description: 'Country + code (TJ-DCA, KG-BS) or a centre id (CARICC)' })
  @Matches(AGENCY_ID_PATTERN, { message: 'id must look like TJ-DCA (country-code) or a centre id like CARICC' })
  id: string;

  @ApiProperty({ example: 'Drug Control Agency of Tajikistan' })
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiProperty({ example: 'TJ' })
  @IsIsoCountry()
  country: string;

  @ApiProperty({ enum: AGENCY_KINDS })
  @IsIn(AGENCY_KINDS as unknown as string[])
  kind: AgencyKind;
}

export class UpdateAgencyRequest {
  @ApiProperty({ description: 'false deactivates the agency: it receives nothing new and its keys stop working' })
  @IsBoolean()
  active: boolean;
}

export class IssueKeyRequest {
  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES)
  role: Role;

  @ApiPropertyOptional({ example: '2027-12-31T00:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true })
  expiresAt?: string;
}

export class CreateSharingGroupRequest {
  @ApiProperty({ example: 'CA-PRECURSORS' })
  @Matches(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, { message: 'id must be 1-64 letters, digits, dot, dash or underscore' })
  id: string;

  @ApiProperty({ example: 'Precursor chemicals working group' })
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiProperty({ type: [String], example: ['TJ-DCA', 'KG-DCS'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @Matches(AGENCY_ID_PATTERN, { each: true, message: 'each member must be an agency id' })
  members: string[];

  @ApiPropertyOptional({ example: '2027-06-30T00:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true })
  expiresAt?: string;
}
