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

/** One side of an audited-vs-unaudited comparison. */
export type Side = 'unaudited' | 'chronicle'

/**
 * Interleaves `sample` for both sides of one workload and summarises each side: the
 * median and p95 of the per-operation times the samples return.
 */
export async function compareSides(
  sample: (side: Side) => () => Promise<number>,
  settings: { readonly samples: number; readonly warmup: number },
): Promise<Record<Side, { median: number; p95: number }>> {
  const times = await interleave(
    { unaudited: sample('unaudited'), chronicle: sample('chronicle') },
    settings.samples,
    settings.warmup,
  )
  const summary = (values: number[]) => ({ median: median(values), p95: quantile(values, 0.95) })
  return { unaudited: summary(times.unaudited), chronicle: summary(times.chronicle) }
}
