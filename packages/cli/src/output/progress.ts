import ora from 'ora'

/** A progress line on stderr while a long stream runs; silent when stderr is not a terminal. */
export function progress(text: string): { update(text: string): void; stop(): void } {
  const spinner = ora({
    text,
    stream: process.stderr,
    isSilent: !process.stderr.isTTY,
    // stdin may be the data (`import -`): never put it in raw mode or drain it.
    discardStdin: false,
  }).start()
  return {
    update: (next) => {
      spinner.text = next
    },
    stop: () => void spinner.stop(),
  }
}
