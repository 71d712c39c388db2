import { Chronicle } from '@chronicle/core'
import { describe, expect, it } from 'vitest'
import { createViewer, defaultLabel } from '../../src/index.js'
import { API_ROUTES } from '../../src/router.js'

/** A viewer that is never asked for entries: these tests read only its documents. */
const viewer = createViewer({
  audit: new Chronicle({ tables: {} }),
  basePath: '/admin/audit',
  authorize: () => ({ actorId: 'admin', scope: 'all' }),
  title: 'Acme audit',
})

async function openApi() {
  const response = await viewer.fetch(new Request('http://app.test/admin/audit/openapi.json'))
  expect(response.status).toBe(200)
  return (await response.json()) as {
    openapi: string
    info: { title: string }
    servers: { url: string }[]
    paths: Record<
      string,
      Record<string, { operationId: string; parameters?: { name: string; in: string }[] }>
    >
    components: { schemas: Record<string, unknown> }
  }
}

describe('viewer: openapi.json', () => {
  it('documents every route the router knows, and nothing else', async () => {
    const document = await openApi()
    expect(document.openapi).toBe('3.1.0')
    expect(document.info.title).toBe('Acme audit API')
    expect(document.servers).toEqual([{ url: '/admin/audit' }])
    const routed = [
      ...API_ROUTES.map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`),
      'GET /openapi.json',
    ].sort()
    const documented = Object.entries(document.paths)
      .flatMap(([path, operations]) =>
        Object.keys(operations).map((m) => `${m.toUpperCase()} ${path}`),
      )
      .sort()
    expect(documented).toEqual(routed)
  })

  it('declares each path parameter, names operations uniquely, and resolves every $ref', async () => {
    const document = await openApi()
    const operationIds = new Set<string>()
    for (const [path, operations] of Object.entries(document.paths)) {
      const inPath = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()
      for (const operation of Object.values(operations)) {
        const declared = (operation.parameters ?? [])
          .filter((p) => p.in === 'path')
          .map((p) => p.name)
          .sort()
        expect(declared, path).toEqual(inPath)
        expect(operationIds.has(operation.operationId)).toBe(false)
        operationIds.add(operation.operationId)
      }
    }
    for (const [, name] of JSON.stringify(document).matchAll(/"#\/components\/schemas\/(\w+)"/g)) {
      expect(document.components.schemas, name).toHaveProperty(name as string)
    }
  })
})

describe('viewer: defaultLabel', () => {
  it('names row actions and turns dotted events into words', () => {
    expect(defaultLabel('INSERT')).toBe('Created')
    expect(defaultLabel('UPDATE')).toBe('Updated')
    expect(defaultLabel('DELETE')).toBe('Deleted')
    expect(defaultLabel('billing.plan.changed')).toBe('Billing plan changed')
    expect(defaultLabel('user.signedIn')).toBe('User signed in')
    expect(defaultLabel('http.request')).toBe('Http request')
  })
})
