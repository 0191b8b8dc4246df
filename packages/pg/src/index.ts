export { isPostgresClient, type PostgresClient, type PostgresConnection } from './client.js'
export type { PgStoreOptions } from './options.js'
export { type PgBusOptions, pgBus } from './pg-bus.js'
export { type PgStore, pgStore } from './pg-store.js'
