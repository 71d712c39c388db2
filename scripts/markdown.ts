/** A fenced code block of a Markdown file. */
export interface CodeBlock {
  /** The fence's info string: `ts`, `sh`, … (empty when none). */
  readonly lang: string
  readonly code: string
  /** 1-based line of the opening fence, for messages that point at the doc. */
  readonly line: number
  /** The nearest heading above the block, without its `#`s. */
  readonly heading: string
}

/** Every fenced block of `markdown`, in order. */
export function codeBlocks(markdown: string): CodeBlock[] {
  const blocks: CodeBlock[] = []
  const lines = markdown.split('\n')
  let heading = ''
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string
    const fence = /^```(\S*)/.exec(line)
    if (!fence) {
      if (line.startsWith('#')) heading = line.replace(/^#+\s*/, '')
      continue
    }
    const start = i
    const body: string[] = []
    while (++i < lines.length && !(lines[i] as string).startsWith('```'))
      body.push(lines[i] as string)
    blocks.push({ lang: fence[1] ?? '', code: `${body.join('\n')}\n`, line: start + 1, heading })
  }
  return blocks
}

/** The one ```ts block under `heading`; throws when there is none, so a renamed heading fails loudly. */
export function tsBlockUnder(markdown: string, heading: string): string {
  const block = codeBlocks(markdown).find((b) => b.lang === 'ts' && b.heading === heading)
  if (!block) throw new Error(`no \`\`\`ts block under the heading "${heading}"`)
  return block.code
}
