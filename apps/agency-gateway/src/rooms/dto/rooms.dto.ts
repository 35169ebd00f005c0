import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsString, Length, Matches } from 'class-validator';
import { IsIsoInstant } from '@hub/contracts/domain/decorators';
import { AGENCY_ID_PATTERN } from '@hub/contracts/reference';
import { EraseAlertRequest } from '../../erasure/dto/erase-alert.request';
import { CursorPageQuery } from '../../inbox/inbox.query';
import { MAX_MESSAGE_CHARS, MAX_ROOM_MEMBERS } from '../room-rules';

const AGENCY_ID_MESSAGE = 'must be an agency id such as TJ-DCA or CARICC';

export class CreateRoomRequest {
  @ApiProperty({ example: 'Operation Northern Lights' })
  @IsString()
  @Length(1, 160)
  name: string;

  @ApiProperty({ example: 'Controlled delivery of a heroin consignment via Osh to Almaty' })
  @IsString()
  @Length(1, 2000)
  purpose: string;

  @ApiProperty({ type: [String], description: 'the other member agencies; the creator owns the room and is a member' })
  @IsArray()
  @ArrayMaxSize(MAX_ROOM_MEMBERS - 1)
  @Matches(AGENCY_ID_PATTERN, { each: true, message: AGENCY_ID_MESSAGE })
  members: string[];

  @ApiProperty({ example: '2026-12-31T00:00:00Z', description: 'the room closes (becomes read-only) then' })
  @IsIsoInstant()
  closesAt: string;
}

export class AddRoomMemberRequest {
  @ApiProperty({ example: 'AF-CND' })
  @Matches(AGENCY_ID_PATTERN, { message: AGENCY_ID_MESSAGE })
  agencyId: string;
}

export class PostRoomMessageRequest {
  @ApiProperty({ maxLength: MAX_MESSAGE_CHARS, example: 'Truck crossed at 14:05' })
  @IsString()
  @Length(1, MAX_MESSAGE_CHARS)
  text: string;
}

export class RoomMessagesQuery extends CursorPageQuery {}

/** The lawful ground for erasing a room before its retention ends (1 to 2000 characters, as for an alert). */
export class EraseRoomRequest extends EraseAlertRequest {}
