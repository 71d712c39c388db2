import { type Measurement, VARIANTS, type Variant } from './measure.ts'
import type { DatabaseKind } from './targets.ts'

export const fmt = (n: number | undefined, digits = 3): string =>
  n !== undefined && Number.isFinite(n) ? n.toFixed(digits) : '-'

const ratio = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined ? '-' : `${fmt(a / b, 2)}×`

const FLOOR_NOTE =
  '  floor: hand-built on the driver (no ORM), standalone single-row writes only, interleaved in this\n' +
  "  section's rounds. trigger: this section's unaudited writes on the table with the hand-written trigger."

/** What the peer's columns mean, for Kysely's table. */
export const KYSERA_NOTE =
  "\n  kysera: @kysera/audit's repository; `-` in its columns on bulk rows means it does not capture them\n" +
  '  at all: it has no WHERE writes, and a Kysely UPDATE/DELETE on its table bypasses it. Its single-row\n' +
  '  writes are not atomic with their entry (a read before an update or delete, the write, the entry:\n' +
  '  each its own autocommit); its log has only a primary key.'

/**
 * The table for one adapter on one database: milliseconds per operation for every
 * variant measured, each audited variant's ratio to the adapter's unaudited writes, Chronicle
 * against the floor and the trigger, and the statements per operation of `statements`.
 */
export function printWrites(
  adapter: string,
  kind: DatabaseKind,
  writes: readonly Measurement[],
  samples: number,
  statements: readonly Variant[],
  note = '',
): void {
  const times = VARIANTS.filter((v) => writes.some((w) => w.variant === v))
  const workloads = [...new Set(writes.map((w) => w.workload))]
  const width = Math.max(20, ...workloads.map((w) => w.length + 1))
  console.log(
    `\n${adapter} × ${kind}: writes (ms per operation, median of ${samples} interleaved samples; × is to unaudited)`,
  )
  // One line of the table: the label and times, ratios to unaudited, Chronicle's two ratios, statements.
  const line = (
    label: string,
    time: (v: Variant) => string,
    toUnaudited: (v: Variant) => string,
    [toFloor, toTrigger]: [string, string],
    trips: (v: Variant) => string,
    tripsLabel: string,
  ) =>
    [
      `${label.padEnd(width)}${times.map((v) => time(v).padStart(10)).join('')}`,
      times
        .slice(1)
        .map((v) => toUnaudited(v).padStart(11))
        .join(''),
      ` ${toFloor.padStart(15)} ${toTrigger.padStart(17)}`,
      ...(statements.length > 0
        ? [` ${tripsLabel}${statements.map((v) => trips(v).padStart(10)).join('')}`]
        : []),
    ].join(' │')
  console.log(
    line(
      'workload',
      (v) => v,
      (v) => `${v}×`,
      ['chronicle/floor', 'chronicle/trigger'],
      (v) => v,
      'statements:',
    ),
  )
  for (const workload of workloads) {
    const find = (variant: Variant) =>
      writes.find((w) => w.workload === workload && w.variant === variant)
    const get = (variant: Variant) => find(variant)?.median
    console.log(
      line(
        workload,
        (v) => fmt(get(v)),
        (v) => ratio(get(v), get('unaudited')),
        [ratio(get('chronicle'), get('floor')), ratio(get('chronicle'), get('trigger'))],
        (v) => fmt(find(v)?.roundTrips, 1),
        ' '.repeat('statements:'.length),
      ),
    )
  }
  console.log(`${FLOOR_NOTE}${note}`)
}
