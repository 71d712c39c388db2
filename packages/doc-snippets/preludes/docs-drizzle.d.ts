// The app's node-postgres pool, and for the better-sqlite3 snippet its attached db and tables.
declare const pool: import('pg').Pool
declare const db: import('drizzle-orm/better-sqlite3').BetterSQLite3Database<
  typeof import('./sqlite-schema.ts')
>
declare const users: typeof import('./sqlite-schema.ts').users
declare const orders: typeof import('./sqlite-schema.ts').orders
declare const order: typeof import('./sqlite-schema.ts').orders.$inferInsert
declare const eq: typeof import('drizzle-orm').eq
