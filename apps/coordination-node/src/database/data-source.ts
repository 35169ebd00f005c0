import { DataSourceOptions } from 'typeorm';
import { appDataSourceOptions } from '@hub/database/data-source';
import { CoordinationInitial1764201600001 } from '../migrations/1764201600001-coordination-initial';
import { CoordinationCredentialsUnapplied1764201600401 } from '../migrations/1764201600401-coordination-credentials-unapplied';
import { CoordinationRouting1764201600101 } from '../migrations/1764201600101-coordination-routing';
import { CoordinationMonitoring1764201600201 } from '../migrations/1764201600201-coordination-monitoring';
import { CoordinationRetention1764201600501 } from '../migrations/1764201600501-coordination-retention';
import { CoordinationRoutingDeliveries1764201600601 } from '../migrations/1764201600601-coordination-routing-deliveries';
import { CoordinationRooms1764201600711 } from '../migrations/1764201600711-coordination-rooms';
import { CoordinationRoomActivity1764201600712 } from '../migrations/1764201600712-coordination-room-activity';

export const COORDINATION_SCHEMA = 'coordination';

export function coordinationDataSourceOptions(url: string): DataSourceOptions {
  return appDataSourceOptions({
    url,
    schema: COORDINATION_SCHEMA,
    entities: [],
    migrations: [
      CoordinationInitial1764201600001,
      CoordinationRouting1764201600101,
      CoordinationMonitoring1764201600201,
      CoordinationCredentialsUnapplied1764201600401,
      CoordinationRetention1764201600501,
      CoordinationRoutingDeliveries1764201600601,
      CoordinationRooms1764201600711,
      CoordinationRoomActivity1764201600712,
    ],
    applicationName: 'coordination-node',
    poolSize: 20,
  });
}

export function coordinationGrants(role: string): string[] {
  return [
    `GRANT USAGE ON SCHEMA "${COORDINATION_SCHEMA}" TO "${role}"`,
    `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "${COORDINATION_SCHEMA}" TO "${role}"`,
    `GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA "${COORDINATION_SCHEMA}" TO "${role}"`,
  ];
}
