/** Exit codes: documented in docs/cli.md, relied on by scripts. */
export const EXIT = { ok: 0, error: 1, usage: 2, broken: 3 } as const

/** A failure the CLI explains itself: the message is shown as it is, then it exits with `exitCode`. */
export class CliError extends Error {
  readonly exitCode: number

  constructor(message: string, exitCode: number = EXIT.error, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'CliError'
    this.exitCode = exitCode
  }
}

/** Wrong or missing flags and arguments: exit 2. */
export const usageError = (message: string) => new CliError(message, EXIT.usage)
