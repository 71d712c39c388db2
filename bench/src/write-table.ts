import type { DatabaseKind } from './targets.ts'
import type { Measurement, Variant } from './writes.ts'

export const fmt = (n: number | undefined, digits = 3): string =>
  n !== undefined && Number.isFinite(n) ? n.toFixed(digits) : '-'

const ratio = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined ? '-' : `${fmt(a / b, 2)}×`

const TIMES: readonly Variant[] = ['unaudited', 'chronicle', 'trigger', 'floor', 'kysera']

/**
 * The issue's table for one database: milliseconds per operation for every variant, each
 * audited variant's ratio to unaudited Kysely, Chronicle against the floor and the trigger,
 * and the statements Chronicle and @kysera/audit send per operation.
 */
export function printKyselyWrites(
  kind: DatabaseKind,
  writes: readonly Measurement[],
  samples: number,
): void {
  console.log(
    `\nkysely × ${kind}: writes (ms per operation, median of ${samples} interleaved samples; × is to unaudited)`,
  )
  console.log(
    `${'workload'.padEnd(20)}${TIMES.map((v) => v.padStart(10)).join('')} │${TIMES.slice(1)
      .map((v) => `${v}×`.padStart(11))
      .join('')} │ chronicle/floor chronicle/trigger │ statements: chronicle kysera`,
  )
  for (const workload of [...new Set(writes.map((w) => w.workload))]) {
    const get = (variant: Variant) =>
      writes.find((w) => w.workload === workload && w.variant === variant)?.median
    const trips = (variant: Variant) =>
      fmt(writes.find((w) => w.workload === workload && w.variant === variant)?.roundTrips, 1)
    const unaudited = get('unaudited')
    console.log(
      `${workload.padEnd(20)}${TIMES.map((v) => fmt(get(v)).padStart(10)).join('')} │${TIMES.slice(
        1,
      )
        .map((v) => ratio(get(v), unaudited).padStart(11))
        .join('')} │ ${ratio(get('chronicle'), get('floor')).padStart(15)} ${ratio(
        get('chronicle'),
        get('trigger'),
      ).padStart(17)} │ ${trips('chronicle').padStart(21)} ${trips('kysera').padStart(6)}`,
    )
  }
  console.log(
    "  floor: hand-built on the driver, standalone single-row writes only. kysera: @kysera/audit's repository;\n" +
      '  `-` in its columns on bulk rows means it does not capture them at all: it has no WHERE writes, and a\n' +
      '  Kysely UPDATE/DELETE on its table bypasses it. Its single-row writes are not atomic with their entry\n' +
      '  (a read before an update or delete, the write, the entry: each its own autocommit); its log has\n' +
      '  only a primary key.',
  )
}
