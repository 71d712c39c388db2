/** The slice of OpenAPI 3.1 this document uses. */
interface Schema {
  readonly [key: string]: unknown
}

interface Parameter {
  readonly name: string
  readonly in: 'query' | 'path' | 'header'
  readonly required?: boolean
  readonly description: string
  readonly schema: Schema
}

interface Operation {
  readonly operationId: string
  readonly summary: string
  readonly description?: string
  readonly tags: readonly string[]
  readonly parameters?: readonly Parameter[]
  readonly requestBody?: {
    readonly required: boolean
    readonly content: Record<string, { schema: Schema }>
  }
  readonly responses: Readonly<
    Record<
      string,
      { readonly description: string; readonly content?: Record<string, { schema: Schema }> }
    >
  >
}

export interface OpenApiDocument {
  readonly openapi: '3.1.0'
  readonly info: { readonly title: string; readonly version: string; readonly description: string }
  readonly servers: readonly { readonly url: string }[]
  readonly security: readonly Record<string, readonly string[]>[]
  readonly paths: Readonly<Record<string, Readonly<Partial<Record<'get' | 'post', Operation>>>>>
  readonly components: {
    readonly schemas: Readonly<Record<string, Schema>>
    readonly securitySchemes: Readonly<Record<string, Schema>>
  }
}

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` })
const jsonBody = (schema: Schema) => ({ 'application/json': { schema } })
const ok = (description: string, schema: Schema) => ({ description, content: jsonBody(schema) })
const failure = (description: string) => ({ description, content: jsonBody(ref('Error')) })
const nullable = (type: string): Schema => ({ type: [type, 'null'] })

const query = (
  name: string,
  description: string,
  schema: Schema = { type: 'string' },
): Parameter => ({
  name,
  in: 'query',
  description,
  schema,
})
const path = (
  name: string,
  description: string,
  schema: Schema = { type: 'string' },
): Parameter => ({
  name,
  in: 'path',
  required: true,
  description,
  schema,
})

const ENTRY_FILTERS: readonly Parameter[] = [
  query('table', 'Table name (or an event target type)'),
  query('actorId', "Who made the change; a 'self' principal may only give its own"),
  query(
    'action',
    "INSERT, UPDATE, DELETE, or an event name; 'billing' and 'billing.*' match every billing.… event",
  ),
  query('entityId', 'Primary key as text (a composite key: its JSON array text)'),
  query('transactionId', 'One database transaction'),
  query('since', 'From this time (ISO 8601), inclusive', { type: 'string', format: 'date-time' }),
  query('until', 'Until this time (ISO 8601), inclusive', { type: 'string', format: 'date-time' }),
]
const PAGING: readonly Parameter[] = [
  query('cursor', 'nextCursor of the previous page'),
  query('limit', 'Entries per page, 1–1000 (default 50)', {
    type: 'integer',
    minimum: 1,
    maximum: 1000,
  }),
]
const ENTITY: readonly Parameter[] = [
  path('table', 'The audited table'),
  path('entityId', 'Primary key as text (a composite key: its JSON array text), URL-encoded'),
]
const AUDIT_ID = { type: 'integer', minimum: 1 }

const REFUSALS = {
  '400': failure('A malformed parameter (code INVALID_FILTER)'),
  '401': failure('authorize() returned null (code UNAUTHORIZED)'),
  '403': failure('The principal may not use this endpoint or see these entries (code FORBIDDEN)'),
}
const WRITE_REFUSALS = {
  ...REFUSALS,
  '403': failure(
    'Not canRestore with scope "all" (FORBIDDEN), or a missing or wrong X-CSRF-Token, or another origin (CSRF)',
  ),
  '404': failure('No such entry or transaction (NOT_FOUND)'),
  '409': failure('The row changed since (CONFLICT) or the table lost a column (SCHEMA_DRIFT)'),
  '415': failure('The body is not application/json (UNSUPPORTED_MEDIA_TYPE)'),
}
const CSRF_HEADER: Parameter = {
  name: 'X-CSRF-Token',
  in: 'header',
  required: true,
  description: 'csrfToken from GET api/session',
  schema: { type: 'string' },
}

const PAGE_OF_ENTRIES: Schema = {
  type: 'object',
  required: ['items', 'nextCursor'],
  properties: { items: { type: 'array', items: ref('Entry') }, nextCursor: nullable('string') },
}

const SCHEMAS: Readonly<Record<string, Schema>> = {
  Error: {
    type: 'object',
    required: ['error'],
    properties: {
      error: {
        type: 'object',
        required: ['code', 'message'],
        properties: { code: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
  Row: {
    type: 'object',
    description: 'A row: dates as ISO text, big integers as decimal text, binary as base64',
    additionalProperties: true,
  },
  Entry: {
    type: 'object',
    required: ['id', 'createdAt', 'transactionId', 'action', 'tableName', 'entityId', 'label'],
    properties: {
      id: { type: 'integer' },
      createdAt: { type: 'string', format: 'date-time' },
      transactionId: { type: 'string' },
      action: { type: 'string' },
      label: { type: 'string', description: 'The action as human text' },
      tableName: { type: 'string' },
      entityId: { type: 'string' },
      oldValues: {
        oneOf: [ref('Row'), { type: 'null' }],
        description: 'DELETE: the row; UPDATE: prior values of the changed columns',
      },
      newValues: {
        oneOf: [ref('Row'), { type: 'null' }],
        description: 'INSERT/UPDATE: the row after',
      },
      changedFields: { type: 'array', items: { type: 'string' } },
      actorId: nullable('string'),
      actorType: nullable('string'),
      ipAddress: nullable('string'),
      userAgent: nullable('string'),
      metadata: { type: ['object', 'null'] },
      hash: nullable('string'),
    },
  },
  VersionDiff: {
    type: 'object',
    required: ['from', 'to', 'changedFields', 'patch'],
    properties: {
      from: { oneOf: [ref('Row'), { type: 'null' }] },
      to: { oneOf: [ref('Row'), { type: 'null' }] },
      changedFields: { type: 'array', items: { type: 'string' } },
      patch: {
        type: 'array',
        description: 'RFC 6902 operations from → to',
        items: { type: 'object' },
      },
    },
  },
  Share: {
    type: 'object',
    properties: { count: { type: 'integer' }, share: { type: 'number' } },
  },
  Stats: {
    type: 'object',
    properties: {
      total: { type: 'integer' },
      byAction: { type: 'object', additionalProperties: ref('Share') },
      byTable: { type: 'object', additionalProperties: ref('Share') },
      byActor: { type: 'object', additionalProperties: ref('Share') },
      peakDay: { type: ['object', 'null'] },
      peakHour: { type: ['object', 'null'] },
      bytes: { type: 'integer' },
      from: { type: ['string', 'null'], format: 'date-time' },
      to: { type: ['string', 'null'], format: 'date-time' },
    },
  },
  RestoreResult: {
    type: 'object',
    properties: {
      tableName: { type: 'string' },
      entityId: { type: 'string' },
      changes: {
        type: 'array',
        items: { type: 'object', properties: { field: { type: 'string' }, from: {}, to: {} } },
      },
      applied: { type: 'boolean', description: 'false for a dry run or when nothing differed' },
      droppedColumns: { type: 'array', items: { type: 'string' } },
      skippedColumns: { type: 'array', items: { type: 'string' } },
    },
  },
  RevertResult: {
    type: 'object',
    properties: {
      transactionId: { type: 'string' },
      reverted: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            auditId: { type: 'integer' },
            tableName: { type: 'string' },
            entityId: { type: 'string' },
            action: { type: 'string' },
          },
        },
      },
      applied: { type: 'boolean', description: 'false for a dry run' },
    },
  },
  Session: {
    type: 'object',
    required: ['principal', 'csrfToken', 'title'],
    properties: {
      principal: {
        type: 'object',
        properties: {
          actorId: nullable('string'),
          scope: { enum: ['all', 'self'] },
          canRestore: { type: 'boolean' },
          name: nullable('string'),
        },
      },
      csrfToken: { type: 'string', description: 'Send as X-CSRF-Token on POSTs' },
      title: { type: 'string' },
    },
  },
}

const PATHS: OpenApiDocument['paths'] = {
  '/api/session': {
    get: {
      operationId: 'getSession',
      summary: 'Who is asking, and the CSRF token for writes',
      tags: ['session'],
      responses: { '200': ok('The session', ref('Session')), '401': REFUSALS['401'] },
    },
  },
  '/api/entries': {
    get: {
      operationId: 'listEntries',
      summary: 'Entries, newest first, a page at a time',
      description:
        "A 'self' principal sees only its own entries; asking for another actorId is 403.",
      tags: ['entries'],
      parameters: [...ENTRY_FILTERS, ...PAGING],
      responses: { '200': ok('A page of entries', PAGE_OF_ENTRIES), ...REFUSALS },
    },
  },
  '/api/entries/{id}': {
    get: {
      operationId: 'getEntry',
      summary: 'One entry',
      description: "Another actor's entry is a 404 to a 'self' principal, as a missing one is.",
      tags: ['entries'],
      parameters: [path('id', 'Audit entry id', AUDIT_ID)],
      responses: {
        '200': ok('The entry', ref('Entry')),
        ...REFUSALS,
        '404': failure('No such entry (NOT_FOUND)'),
      },
    },
  },
  '/api/entries/{id}/restore': {
    post: {
      operationId: 'restoreEntry',
      summary: 'Put a row back as it was before (or after) an entry',
      description:
        'canRestore with scope "all" only; the restore is itself audited. dryRun previews.',
      tags: ['restore'],
      parameters: [path('id', 'Audit entry id', AUDIT_ID), CSRF_HEADER],
      requestBody: {
        required: false,
        content: jsonBody({
          type: 'object',
          additionalProperties: false,
          properties: { dryRun: { type: 'boolean' }, to: { enum: ['before', 'after'] } },
        }),
      },
      responses: { '200': ok('What changed (or would)', ref('RestoreResult')), ...WRITE_REFUSALS },
    },
  },
  '/api/transactions/{transactionId}/revert': {
    post: {
      operationId: 'revertTransaction',
      summary: 'Undo every row change of one transaction',
      description:
        'canRestore with scope "all" only; audited with metadata.revertOf. dryRun previews.',
      tags: ['restore'],
      parameters: [path('transactionId', 'The transaction to undo'), CSRF_HEADER],
      requestBody: {
        required: false,
        content: jsonBody({
          type: 'object',
          additionalProperties: false,
          properties: { dryRun: { type: 'boolean' }, force: { type: 'boolean' } },
        }),
      },
      responses: {
        '200': ok('What was (or would be) undone', ref('RevertResult')),
        ...WRITE_REFUSALS,
      },
    },
  },
  '/api/tables/{table}/entities/{entityId}/history': {
    get: {
      operationId: 'entityHistory',
      summary: "One row's entries, newest first",
      description: "A 'self' principal sees only its own entries of the row.",
      tags: ['entities'],
      parameters: [...ENTITY, ...PAGING],
      responses: { '200': ok('A page of entries', PAGE_OF_ENTRIES), ...REFUSALS },
    },
  },
  '/api/tables/{table}/entities/{entityId}/state': {
    get: {
      operationId: 'entityState',
      summary: 'The row as it was at a time, or just after an entry',
      description: 'Scope "all" only.',
      tags: ['entities'],
      parameters: [...ENTITY, query('at', 'An ISO 8601 time or an audit entry id (default: now)')],
      responses: {
        '200': ok('The row, or null when it did not exist', {
          type: 'object',
          required: ['state'],
          properties: { state: { oneOf: [ref('Row'), { type: 'null' }] } },
        }),
        ...REFUSALS,
        '404': failure('The table is not audited (UNKNOWN_TABLE)'),
      },
    },
  },
  '/api/tables/{table}/entities/{entityId}/diff': {
    get: {
      operationId: 'entityDiff',
      summary: 'The version after one entry against the one after another (default: the row now)',
      description: 'Scope "all" only.',
      tags: ['entities'],
      parameters: [
        ...ENTITY,
        { ...query('from', 'Audit entry id of the earlier version', AUDIT_ID), required: true },
        query('to', 'Audit entry id of the later version (default: the current row)', AUDIT_ID),
      ],
      responses: {
        '200': ok('The diff', ref('VersionDiff')),
        ...REFUSALS,
        '404': failure('No such entry or table'),
      },
    },
  },
  '/api/compare': {
    get: {
      operationId: 'compareEntries',
      summary: 'The row versions after two entries, and the patch between them',
      description: "A 'self' principal must see both entries (else 404).",
      tags: ['entries'],
      parameters: [
        { ...query('a', 'Audit entry id', AUDIT_ID), required: true },
        { ...query('b', 'Audit entry id', AUDIT_ID), required: true },
      ],
      responses: {
        '200': ok('The diff', ref('VersionDiff')),
        ...REFUSALS,
        '404': failure('No such entry'),
      },
    },
  },
  '/api/stats': {
    get: {
      operationId: 'stats',
      summary: 'Totals by action, table and actor; busiest day and hour; storage',
      description: 'Scope "all" only.',
      tags: ['stats'],
      parameters: [ENTRY_FILTERS[0] as Parameter, ...ENTRY_FILTERS.slice(-2)],
      responses: { '200': ok('The stats', ref('Stats')), ...REFUSALS },
    },
  },
  '/api/export.jsonl': {
    get: {
      operationId: 'exportEntries',
      summary: 'Every matching entry, oldest first, as JSON Lines (streamed)',
      description: "One Entry per line. A 'self' principal exports only its own entries.",
      tags: ['entries'],
      parameters: ENTRY_FILTERS,
      responses: {
        '200': {
          description: 'JSON Lines',
          content: { 'application/x-ndjson': { schema: ref('Entry') } },
        },
        ...REFUSALS,
      },
    },
  },
  '/openapi.json': {
    get: {
      operationId: 'openApi',
      summary: 'This document',
      tags: ['meta'],
      responses: { '200': ok('OpenAPI 3.1', { type: 'object' }), '401': REFUSALS['401'] },
    },
  },
}

/** The OpenAPI 3.1 document of a viewer's JSON API, its server URL being the mount path. */
export function openApiDocument(basePath: string, title: string): OpenApiDocument {
  return {
    openapi: '3.1.0',
    info: {
      title: `${title} API`,
      version: '1',
      description:
        'The audit trail, read through the permissions authorize() grants. Errors are { error: { code, message } }.',
    },
    servers: [{ url: basePath === '' ? '/' : basePath }],
    security: [{ app: [] }],
    paths: PATHS,
    components: {
      schemas: SCHEMAS,
      securitySchemes: {
        app: {
          type: 'apiKey',
          in: 'cookie',
          name: 'session',
          description:
            'Whatever the host app authenticates with: the viewer calls its authorize(request) on every request.',
        },
      },
    },
  }
}
