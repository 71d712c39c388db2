import { describe, expect, it } from 'vitest'
import { mysqlDialect } from '../src/store/dialects/mysql.js'

/** Which writes core runs with RETURNING on a MySQL-family server, from `SELECT VERSION()`. */
describe('core: RETURNING on MySQL-family servers', () => {
  const operations = (version: string) => mysqlDialect.partialReturning?.operations(version)

  it('MariaDB 10.5 and later return the rows of INSERT and DELETE', () => {
    expect(operations('10.5.0-MariaDB')).toEqual(['insert', 'delete'])
    expect(operations('10.11.19-MariaDB-0+deb12u1')).toEqual(['insert', 'delete'])
    expect(operations('11.4.2-MariaDB-ubu2404')).toEqual(['insert', 'delete'])
    expect(operations('5.5.5-10.11.6-MariaDB')).toEqual(['insert', 'delete'])
  })

  it('MariaDB before 10.5 and MySQL read rows back instead', () => {
    expect(operations('10.4.33-MariaDB')).toEqual([])
    expect(operations('5.5.5-10.3.39-MariaDB')).toEqual([])
    expect(operations('8.0.36')).toEqual([])
    expect(operations('8.4.0-commercial')).toEqual([])
  })
})
