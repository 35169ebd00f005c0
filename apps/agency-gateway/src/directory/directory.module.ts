import { Module } from '@nestjs/common';
import { ReferenceSnapshot } from '../reference/reference.snapshot';
import { DirectoryController } from './directory.controller';

@Module({ controllers: [DirectoryController], providers: [ReferenceSnapshot] })
export class DirectoryModule {}
