import { Injectable, PipeTransform } from '@nestjs/common';
import { HubError } from '@hub/platform/errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A malformed room id is a room the caller cannot see: 404, like any other. */
@Injectable()
export class RoomIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!UUID.test(value)) throw HubError.notFound('room');
    return value.toLowerCase();
  }
}
