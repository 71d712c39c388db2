import { toJsonValue } from '@chronicle/core'
import { describe, expect, it } from 'vitest'

describe('core: toJsonValue', () => {
  it('encodes what JSON cannot hold as snapshots store it, at any depth', () => {
    const value = {
      id: 12345678901234567890n,
      at: new Date('2026-01-02T03:04:05.678Z'),
      avatar: Buffer.from('hi'),
      bytes: new Uint8Array([1, 2]),
      ratio: Number.NaN,
      far: Number.NEGATIVE_INFINITY,
      zero: -0,
      missing: undefined,
      nothing: null,
      nested: { list: [1n, new Date(0), 'text', true, null] },
    }
    expect(toJsonValue(value)).toEqual({
      id: '12345678901234567890',
      at: '2026-01-02T03:04:05.678Z',
      avatar: 'aGk=',
      bytes: 'AQI=',
      ratio: 'NaN',
      far: '-Infinity',
      zero: '-0',
      nothing: null,
      nested: { list: ['1', '1970-01-01T00:00:00.000Z', 'text', true, null] },
    })
    // What it returns survives JSON unchanged.
    const encoded = toJsonValue(value)
    expect(JSON.parse(JSON.stringify(encoded))).toEqual(encoded)
  })

  it('keeps an entry frozen by core readable as plain JSON', () => {
    const entry = Object.freeze({ id: 1, createdAt: new Date(0), newValues: { n: 2n } })
    expect(toJsonValue(entry)).toEqual({
      id: 1,
      createdAt: '1970-01-01T00:00:00.000Z',
      newValues: { n: '2' },
    })
  })
})
