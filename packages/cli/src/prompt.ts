import confirm from '@inquirer/confirm'
import { CliError } from './errors.js'

/**
 * Asks before a change. `--force` skips the question; without a terminal to ask on, the
 * change is refused (exit 1) so a script never changes data it did not explicitly force.
 */
export async function confirmChange(
  question: string,
  force: boolean | undefined,
): Promise<boolean> {
  if (force) return true
  if (!process.stdin.isTTY) {
    throw new CliError(
      'stdin is not a terminal, so there is no one to confirm: nothing was changed. Pass --force to proceed without asking.',
    )
  }
  return confirm({ message: question, default: false })
}
