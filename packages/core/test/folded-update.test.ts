import { describe, expect, it } from 'vitest'
import { foldUpdate, shiftPlaceholders } from '../src/capture/folded-update.js'

describe('shiftPlaceholders', () => {
  it('renumbers placeholders outside literals and quoted names', () => {
    expect(
      shiftPlaceholders(`UPDATE "t" SET "a" = $1, "b$2" = 'x $3 ''y''' WHERE "id" = $2`, 3),
    ).toBe(`UPDATE "t" SET "a" = $4, "b$2" = 'x $3 ''y''' WHERE "id" = $5`)
  })

  it.each([
    ['a comment', 'SELECT $1 -- $2'],
    ['a block comment', 'SELECT /* $2 */ $1'],
    ['an escape string', "SELECT E'\\' $2' , $1"],
    ['dollar quoting', 'SELECT $q$ $2 $q$, $1'],
    ['a $ inside a name', 'SELECT a$1 FROM t'],
    ['an unclosed literal', "SELECT 'a, $1"],
  ])('gives up on %s', (_, sql) => {
    expect(shiftPlaceholders(sql, 1)).toBeNull()
  })
})

describe('foldUpdate', () => {
  const select = { sql: 'SELECT "t".* FROM "t" WHERE "a" = $1 FOR UPDATE OF "t"', params: [1] }
  const write = {
    sql: 'UPDATE "t" SET "b" = $1 WHERE ("a" = $2) AND ("t"."id") IN (SELECT "id" FROM "__chronicle_old") RETURNING "t".*, "b" AS __chronicle_u1',
    params: ['x', 1],
  }

  it('runs the read as a CTE the write depends on, its parameters first', () => {
    const folded = foldUpdate(select, write, 1, 100)
    expect(folded?.params).toEqual([1, 'x', 1])
    expect(folded?.sql).toBe(
      'WITH "__chronicle_old" AS (SELECT "t".* FROM "t" WHERE "a" = $1 FOR UPDATE OF "t"), ' +
        '"__chronicle_new" AS (UPDATE "t" SET "b" = $2 WHERE ("a" = $3) AND ("t"."id") IN (SELECT "id" FROM "__chronicle_old") RETURNING "t".*, "b" AS __chronicle_u1) ' +
        `SELECT 'n' AS "__chronicle_side", * FROM "__chronicle_new" ` +
        `UNION ALL SELECT 'o', *, NULL FROM "__chronicle_old"`,
    )
  })

  it("leaves the user's own WITH, and statements past the bind limit, to two statements", () => {
    expect(
      foldUpdate({ ...select, sql: `WITH x AS (SELECT 1) ${select.sql}` }, write, 1, 100),
    ).toBeNull()
    expect(foldUpdate(select, write, 1, 2)).toBeNull()
  })
})
