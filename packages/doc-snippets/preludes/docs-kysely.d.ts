// The app's database types and its node-postgres pool.
interface DB {
  users: { id: number; email: string }
  orders: { order_id: string; total: number }
}
declare const pool: import('pg').Pool
