import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';

export class EraseAlertRequest {
  @ApiProperty({
    example: 'Court order 2026/114: the person named is not involved',
    description: 'Why the content must go (the lawful ground); audited',
  })
  @IsString()
  @Length(1, 2000)
  reason: string;
}
