import { describe } from 'vitest'
import type { AdapterFactory } from './adapter.js'
import { type DatabaseKind, isAvailable } from './databases.js'
import { atCommitSuite } from './suites/at-commit.js'
import { bulkSuite } from './suites/bulk.js'
import { captureSuite } from './suites/capture.js'
import { errorsSuite } from './suites/errors.js'
import { eventsSuite } from './suites/events.js'
import { faultsSuite } from './suites/faults.js'
import { integritySuite } from './suites/integrity.js'
import { operationsSuite } from './suites/operations.js'
import { propertiesSuite } from './suites/properties.js'
import { queriesSuite } from './suites/queries.js'
import { racesSuite } from './suites/races.js'
import { restoreSuite } from './suites/restore.js'
import { schemaChangesSuite } from './suites/schema-changes.js'
import { transactionsSuite } from './suites/transactions.js'
import { typesSuite } from './suites/types.js'
import { valuesSuite } from './suites/values.js'

export const SUITES = {
  capture: captureSuite,
  transactions: transactionsSuite,
  faults: faultsSuite,
  races: racesSuite,
  schemaChanges: schemaChangesSuite,
  queries: queriesSuite,
  restore: restoreSuite,
  errors: errorsSuite,
  events: eventsSuite,
  integrity: integritySuite,
  operations: operationsSuite,
  bulk: bulkSuite,
  properties: propertiesSuite,
  values: valuesSuite,
  types: typesSuite,
  atCommit: atCommitSuite,
} as const

/**
 * Registers the contract for one adapter on one database. Test names start with
 * `adapter:database`. Without the server (and CI unset) the suites are skipped, and say so.
 */
export async function runContract(
  factory: AdapterFactory,
  kind: DatabaseKind,
  suites: readonly (keyof typeof SUITES)[] = Object.keys(SUITES) as (keyof typeof SUITES)[],
): Promise<void> {
  const available = await isAvailable(kind)
  describe.skipIf(!available)(
    `${factory.name}:${kind}${available ? '' : ' (server not reachable: skipped)'}`,
    () => {
      for (const suite of suites) SUITES[suite](factory, kind)
    },
  )
}
