import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'

export const users = sqliteTable('users', {
  id: integer('id').primaryKey(),
  email: text('email').notNull().unique(),
  name: text('name').notNull(),
  plan: text('plan').notNull(),
  password_hash: text('password_hash').notNull(),
})

export const orders = sqliteTable('orders', {
  order_id: text('order_id').primaryKey(),
  user_id: integer('user_id').notNull(),
  total: integer('total').notNull(),
  status: text('status').notNull(),
})
