/**
 * Awaits `run`, appending to a failure's stack one taken here. A capture runs behind its
 * connection's queue, so a failure's own stack ends there; the appended frames (async ones
 * included) lead back to the caller, as the ORMs' own drivers report them.
 */
export async function withCallerStack<T>(run: Promise<T>): Promise<T> {
  try {
    return await run
  } catch (error) {
    const caller = new Error().stack
    if (error instanceof Error && error.stack && caller)
      error.stack += `\n${caller.split('\n').slice(1).join('\n')}`
    throw error
  }
}
