import type { StatementCounter } from './counting-dialect.ts'

/** Milliseconds `work` takes. */
export async function time(work: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint()
  await work()
  return Number(process.hrtime.bigint() - start) / 1e6
}

export function median(values: readonly number[]): number {
  return quantile(values, 0.5)
}

export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const position = (sorted.length - 1) * q
  const low = Math.floor(position)
  const high = Math.ceil(position)
  return (
    (sorted[low] as number) +
    ((sorted[high] as number) - (sorted[low] as number)) * (position - low)
  )
}

/**
 * Runs each variant's sample in turn, `samples` times, in a rotating order so that drift
 * on a noisy machine hits every variant alike; the first `warmup` rounds are discarded.
 */
export async function interleave<K extends string>(
  variants: Record<K, () => Promise<number>>,
  samples: number,
  warmup: number,
): Promise<Record<K, number[]>> {
  const names = Object.keys(variants) as K[]
  const results = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<K, number[]>
  for (let round = 0; round < warmup + samples; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(round + i) % names.length] as K
      const value = await variants[name]()
      if (round >= warmup) results[name].push(value)
    }
  }
  return results
}

/** Every variant a write workload can be measured as, in the order the tables print them. */
export const VARIANTS = ['unaudited', 'chronicle', 'trigger', 'floor', 'kysera'] as const
export type Variant = (typeof VARIANTS)[number]

export interface Measurement {
  readonly workload: string
  readonly variant: Variant
  /** Milliseconds per operation. */
  readonly median: number
  readonly p95: number
  /** Statements per operation (BEGIN/COMMIT included); NaN where nothing counts them (the floor, Drizzle). */
  readonly roundTrips: number
}

/** How one variant does one sample of a workload. */
export interface VariantSample {
  /** Untimed, before each sample: seeding the rows a delete will remove. */
  readonly prepare?: (round: number) => Promise<void>
  /** The timed work: `perSample` operations. `round` counts this variant's samples from 0. */
  readonly run: (round: number) => Promise<void>
  /** Counts the statements `run` sends, when something can. */
  readonly counter?: StatementCounter
}

/**
 * Interleaves the samples of every variant given for one workload and summarises each:
 * median and p95 of the per-operation time, and the median statements per operation.
 */
export async function measureVariants(
  workload: string,
  perSample: number,
  variants: Partial<Record<Variant, VariantSample>>,
  settings: { readonly samples: number; readonly warmup: number },
): Promise<Measurement[]> {
  const present = VARIANTS.filter((v) => variants[v])
  const trips = Object.fromEntries(present.map((v) => [v, [] as number[]]))
  const sample = (variant: Variant) => {
    const { prepare, run, counter } = variants[variant] as VariantSample
    let round = 0
    return async () => {
      const current = round++
      await prepare?.(current)
      counter?.reset()
      const ms = await time(() => run(current))
      if (counter) trips[variant]?.push(counter.count / perSample)
      return ms / perSample
    }
  }
  const times = await interleave(
    Object.fromEntries(present.map((v) => [v, sample(v)])),
    settings.samples,
    settings.warmup,
  )
  return present.map((variant) => ({
    workload,
    variant,
    median: median(times[variant] ?? []),
    p95: quantile(times[variant] ?? [], 0.95),
    roundTrips: median(trips[variant] ?? []),
  }))
}
