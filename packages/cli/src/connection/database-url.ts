import type { DialectName } from '@chronicle/core'
import { usageError } from '../errors.js'

/** Where to connect, parsed from `--db`, `CHRONICLE_DB` or the config file's `db`. */
export type DatabaseTarget =
  | { readonly dialect: 'sqlite'; readonly file: string }
  | { readonly dialect: Exclude<DialectName, 'sqlite'>; readonly url: string }

const FORMS =
  'use a SQLite file (./app.db, sqlite:./app.db), postgres://user@host:5432/db, mysql://user@host:3306/db or mariadb://…'

/**
 * Accepts `./app.db`, `sqlite:app.db`, `sqlite://app.db`, `file:app.db`, `postgres://…`,
 * `postgresql://…`, `mysql://…` and `mariadb://…` (MariaDB speaks the MySQL protocol).
 */
export function parseDatabaseUrl(raw: string): DatabaseTarget {
  const value = raw.trim()
  if (value === '') throw usageError(`the database URL is empty: ${FORMS}`)
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(value)?.[1]?.toLowerCase()
  // A bare path, or a Windows drive letter, is a SQLite file.
  if (scheme === undefined || /^[a-z]:[\\/]/i.test(value)) return { dialect: 'sqlite', file: value }
  if (scheme === 'sqlite' || scheme === 'file') {
    const file = value.slice(scheme.length + 1).replace(/^\/\/(?=[^/])/, '')
    if (file === '') throw usageError(`"${raw}" names no SQLite file: ${FORMS}`)
    return { dialect: 'sqlite', file }
  }
  if (
    scheme === 'postgres' ||
    scheme === 'postgresql' ||
    scheme === 'mysql' ||
    scheme === 'mariadb'
  ) {
    let url: URL
    try {
      url = new URL(value)
    } catch {
      throw usageError(`"${raw}" is not a valid URL: ${FORMS}`)
    }
    if (url.hostname === '') throw usageError(`"${raw}" names no host: ${FORMS}`)
    if (scheme === 'mysql' || scheme === 'mariadb') {
      return { dialect: 'mysql', url: value.replace(/^mariadb:/i, 'mysql:') }
    }
    return { dialect: 'postgres', url: value }
  }
  throw usageError(`unsupported database URL scheme "${scheme}:" in "${raw}": ${FORMS}`)
}

/** The URL without its password, for messages. */
export function describeTarget(target: DatabaseTarget): string {
  if (target.dialect === 'sqlite') return target.file
  const url = new URL(target.url)
  url.password = ''
  return url.toString()
}
