/**
 * The one piece of Prisma's private API Chronicle reads: the client's runtime data model
 * (model → table and field → column names, from `@@map` / `@map`, and field types). Prisma
 * 7 has no public equivalent on the client. `test/prisma-internals.test.ts` fails loudly
 * when Prisma changes it.
 */

/** One model as Prisma's runtime data model describes it. */
export interface RuntimeModel {
  readonly dbName: string | null
  readonly schema?: string | null
  readonly fields: readonly {
    readonly name: string
    readonly kind: string
    readonly type: string
    readonly dbName?: string | null
  }[]
}

export interface RuntimeDataModel {
  readonly models: Readonly<Record<string, RuntimeModel>>
}

/** The client's data model, or `undefined` when this Prisma version no longer exposes it so. */
export function runtimeDataModel(client: unknown): RuntimeDataModel | undefined {
  const model = (client as { _runtimeDataModel?: RuntimeDataModel } | null)?._runtimeDataModel
  return model && typeof model.models === 'object' ? model : undefined
}
