import { DataSourceOptions } from 'typeorm';
import { appDataSourceOptions } from '@hub/database/data-source';
import { GatewayInitial1764201600000 } from '../migrations/1764201600000-gateway-initial';
import { GatewayExchange1764201600100 } from '../migrations/1764201600100-gateway-exchange';
import { GatewayMatchNotices1764201600300 } from '../migrations/1764201600300-gateway-match-notices';
import { GatewayWithdrawn1764201600310 } from '../migrations/1764201600310-gateway-withdrawn';
import { GatewayRetention1764201600500 } from '../migrations/1764201600500-gateway-retention';
import { GatewaySigningKeys1764201600510 } from '../migrations/1764201600510-gateway-signing-keys';
import { GatewayCommittedTexts1764201600520 } from '../migrations/1764201600520-gateway-committed-texts';
import { GatewayInboxByReference1764201600600 } from '../migrations/1764201600600-gateway-inbox-by-reference';
import { GatewayHits1764201600730 } from '../migrations/1764201600730-gateway-hits';
import { GatewayPartnerAgencies1764201600700 } from '../migrations/1764201600700-gateway-partner-agencies';
import { GatewayRooms1764201600710 } from '../migrations/1764201600710-gateway-rooms';
import { GatewayRoomAlerts1764201600740 } from '../migrations/1764201600740-gateway-room-alerts';
import { AgencyEntity, ApiKeyEntity, SharingGroupEntity } from '../reference/reference.entities';

export const GATEWAY_SCHEMA = 'gateway';

export const GATEWAY_ENTITIES = [AgencyEntity, ApiKeyEntity, SharingGroupEntity];

export function gatewayDataSourceOptions(url: string): DataSourceOptions {
  return appDataSourceOptions({
    url,
    schema: GATEWAY_SCHEMA,
    entities: GATEWAY_ENTITIES,
    migrations: [
      GatewayInitial1764201600000,
      GatewayExchange1764201600100,
      GatewayMatchNotices1764201600300,
      GatewayWithdrawn1764201600310,
      GatewayRetention1764201600500,
      GatewaySigningKeys1764201600510,
      GatewayCommittedTexts1764201600520,
      GatewayInboxByReference1764201600600,
      GatewayHits1764201600730,
      GatewayPartnerAgencies1764201600700,
      GatewayRooms1764201600710,
      GatewayRoomAlerts1764201600740,
    ],
    applicationName: 'agency-gateway',
    poolSize: 20,
  });
}

export function gatewayGrants(role: string): string[] {
  return [
    `GRANT USAGE ON SCHEMA "${GATEWAY_SCHEMA}" TO "${role}"`,
    `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "${GATEWAY_SCHEMA}" TO "${role}"`,
    `GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA "${GATEWAY_SCHEMA}" TO "${role}"`,
  ];
}
