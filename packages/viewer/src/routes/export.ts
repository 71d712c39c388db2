import type { AuditEntry } from '@chronicle/core'
import type { RouteContext } from '../context.js'
import { ENTRY_FILTERS } from '../entry-filters.js'
import { entryJson } from '../entry-json.js'
import { entryFilter, queryParams } from '../params.js'
import { withSecurityHeaders } from '../responses.js'
import { actorFilter } from '../scope.js'

/** Lines gathered into one chunk: fewer, larger writes without holding more than a page. */
const CHUNK_BYTES = 64 * 1024

/**
 * `GET api/export.jsonl`: every matching entry, oldest first, one JSON object per line.
 * Core reads a page at a time and the stream pulls only as fast as the client reads, so
 * memory stays constant; a client that goes away stops the reading.
 */
export async function exportEntries({ url, principal, viewer }: RouteContext): Promise<Response> {
  const filter = entryFilter(queryParams(url, [...ENTRY_FILTERS]))
  const entries = viewer.audit
    .export({ ...filter, actorId: actorFilter(principal, filter.actorId) })
    [Symbol.asyncIterator]()
  // The first read runs the query: a bad filter is a 400 here, not a broken stream later.
  let next: IteratorResult<AuditEntry> | undefined = await entries.next()
  const encoder = new TextEncoder()
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let chunk = ''
        while (next !== undefined && !next.done && chunk.length < CHUNK_BYTES) {
          chunk += `${JSON.stringify(entryJson(next.value, viewer.label))}\n`
          next = await entries.next()
        }
        if (chunk !== '') controller.enqueue(encoder.encode(chunk))
        if (next === undefined || next.done) controller.close()
      },
      async cancel() {
        next = undefined
        await entries.return?.(undefined)
      },
    },
    { highWaterMark: 1 },
  )
  return new Response(body, {
    headers: withSecurityHeaders({
      'Content-Type': 'application/x-ndjson; charset=utf-8',
      'Content-Disposition': 'attachment; filename="audit.jsonl"',
      'Cache-Control': 'no-store',
    }),
  })
}
