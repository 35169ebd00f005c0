import { Module } from '@nestjs/common';
import { SigningKeysAdminController, SigningKeysController } from './signing-keys.controller';
import { SigningKeysService } from './signing-keys.service';

@Module({
  controllers: [SigningKeysAdminController, SigningKeysController],
  providers: [SigningKeysService],
  exports: [SigningKeysService],
})
export class SigningModule {}
