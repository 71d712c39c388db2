// No imports: the pages' bundle takes this list too, and must not pull in core.

/** The entry filters of `logs` and `export`, as query parameter names (API and page URLs alike). */
export const ENTRY_FILTERS = [
  'table',
  'actorId',
  'action',
  'entityId',
  'transactionId',
  'since',
  'until',
] as const
