import { isChronicleError } from '@chronicle/core'

/**
 * Prisma turns an error its driver adapter throws into its own `PrismaClientKnownRequestError`,
 * keeping only `code` and the message, and runs the adapter outside the caller's async
 * context. The adapter remembers the ChronicleErrors it threw (the last few); the extension
 * finds the one a Prisma error carries and throws it instead, cause included.
 */
const thrown = new Map<string, Error>()
const REMEMBERED = 64

/** Called where the adapter throws: remembers a ChronicleError until an operation claims it. */
export function rememberError(error: unknown): void {
  if (!isChronicleError(error)) return
  thrown.delete(error.message)
  thrown.set(error.message, error)
  if (thrown.size > REMEMBERED) thrown.delete(thrown.keys().next().value as string)
}

/** Runs one Prisma operation; a ChronicleError from its adapter calls is rethrown as itself. */
export async function withChronicleErrors<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run()
  } catch (error) {
    throw originalError(error)
  }
}

/** The ChronicleError a Prisma error stands for, else the error itself. */
export function originalError(error: unknown): unknown {
  if (isChronicleError(error) || !(error instanceof Error)) return error
  const code = (error as { code?: unknown }).code
  for (const [message, original] of thrown) {
    if ((original as { code?: unknown }).code === code && error.message.includes(message)) {
      thrown.delete(message)
      return original
    }
  }
  return error
}
