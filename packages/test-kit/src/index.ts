export type {
  AdapterFactory,
  AuditedClient,
  ClientSettings,
  Row,
  Set,
  TableName,
  Where,
} from './adapter.js'
export { runContract } from './contract.js'
export {
  createTestDatabase,
  DATABASES,
  type DatabaseKind,
  type HeldTransaction,
  isAvailable,
  openSqlite,
  type TestDatabase,
} from './databases.js'
export { DriverHooks } from './driver-hooks.js'
export { kyselyDialect } from './kysely-dialect.js'
export { createFixtureTables, defaultTables, type TestTables, userRow } from './schema.js'
export { seedEntries } from './seed.js'
export { type Fixture, rawConnection, setUp, tearDown } from './setup.js'
