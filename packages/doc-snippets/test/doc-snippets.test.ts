import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { codeBlocks } from '../../../scripts/markdown.ts'

// Every ```ts block of README.md, docs/*.md and each package's README is typechecked, the way
// Kysely checks its doc examples: each block is a module of its own, in a directory per doc
// that also holds the fixtures (`./schema`, `./generated/prisma/client`) and the doc's prelude
// (preludes/<doc>.d.ts: global declarations of the names its fragments assume; a block's own
// declarations shadow them).
const root = fileURLToPath(new URL('../../../', import.meta.url))
const here = fileURLToPath(new URL('../', import.meta.url))
const generated = join(here, '.generated')

const docs = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((file) => file.endsWith('.md'))
    .map((file) => `docs/${file}`),
  ...readdirSync(join(root, 'packages'))
    .map((dir) => `packages/${dir}/README.md`)
    .filter((file) => existsSync(join(root, file))),
]

/** `docs/request-context.md` → `docs-request-context`: the doc's directory and prelude name. */
const slug = (doc: string) => doc.replace(/\.md$/, '').replaceAll('/', '-')

function writeSnippets(doc: string): { dir: string; files: string[] } {
  const dir = join(generated, slug(doc))
  rmSync(dir, { recursive: true, force: true })
  cpSync(join(here, 'fixtures'), dir, { recursive: true })
  const prelude = join(here, 'preludes', `${slug(doc)}.d.ts`)
  if (existsSync(prelude)) cpSync(prelude, join(dir, 'globals.d.ts'))
  const files = codeBlocks(readFileSync(join(root, doc), 'utf8'))
    .filter((block) => block.lang === 'ts')
    .map((block) => {
      const file = join(dir, `line-${block.line}.ts`)
      // A block without imports is still a module: top-level await, and its names stay its own.
      const isModule = /^\s*(import|export)\s/m.test(block.code)
      writeFileSync(file, isModule ? block.code : `${block.code}export {}\n`)
      return file
    })
  return { dir, files }
}

const config = ts.getParsedCommandLineOfConfigFile(join(here, 'tsconfig.json'), undefined, {
  ...ts.sys,
  onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
    throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'))
  },
})
if (!config) throw new Error('packages/doc-snippets/tsconfig.json did not parse')
const options: ts.CompilerOptions = { ...config.options, noEmit: true, noUnusedLocals: false }

// One program per doc (preludes differ); libraries and package sources are parsed once.
const host = ts.createCompilerHost(options)
const parsed = new Map<string, ts.SourceFile | undefined>()
const getSourceFile = host.getSourceFile.bind(host)
host.getSourceFile = (fileName, language, onError, create) => {
  if (fileName.startsWith(generated)) return getSourceFile(fileName, language, onError, create)
  if (!parsed.has(fileName))
    parsed.set(fileName, getSourceFile(fileName, language, onError, create))
  return parsed.get(fileName)
}

function typeErrors(doc: string, dir: string, files: string[]): string[] {
  const globals = join(dir, 'globals.d.ts')
  const program = ts.createProgram(existsSync(globals) ? [...files, globals] : files, options, host)
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')
    if (!diagnostic.file || diagnostic.start === undefined) return message
    const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start)
    const block = /line-(\d+)\.ts$/.exec(diagnostic.file.fileName)
    // Point at the doc's own line: the block's fence plus the line within the block.
    const where = block
      ? `${doc}:${Number(block[1]) + line + 1}`
      : `${relative(root, diagnostic.file.fileName)}:${line + 1}`
    return `${where}: ${message}`
  })
}

describe('docs: every ```ts block typechecks', () => {
  for (const doc of docs) {
    it(doc, () => {
      const { dir, files } = writeSnippets(doc)
      if (files.length === 0) return
      expect(typeErrors(doc, dir, files)).toEqual([])
    })
  }
})

describe('docs: complete programs run', () => {
  const cwd = process.cwd()
  const work = mkdtempSync(join(tmpdir(), 'chronicle-docs-'))
  afterAll(() => {
    process.chdir(cwd)
    rmSync(work, { recursive: true, force: true })
  })

  it('README "Kysely in 30 seconds" runs on SQLite and prints what its comments say', async () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8')
    const block = codeBlocks(readme).find(
      (b) => b.heading === 'Kysely in 30 seconds' && b.lang === 'ts',
    )
    if (!block) throw new Error('README has no "Kysely in 30 seconds" ts block')
    const file = join(writeSnippets('README.md').dir, `line-${block.line}.ts`)
    const printed: unknown[][] = []
    const log = vi.spyOn(console, 'log').mockImplementation((...args) => void printed.push(args))
    process.chdir(work) // the example opens app.db in the working directory
    try {
      await import(file)
    } finally {
      log.mockRestore()
      process.chdir(cwd)
    }
    expect(existsSync(join(work, 'app.db'))).toBe(true)
    expect(printed[0]).toEqual([['plan'], '[REDACTED]'])
    expect(printed[1]?.[0]).toMatchObject({ plan: 'free', email: 'ada@example.com' })
    expect(printed[2]?.[0]).toEqual([{ op: 'replace', path: '/plan', value: 'pro' }])
    expect(printed[3]?.[0]).toEqual(['UPDATE users 1', 'INSERT users 1'])
    expect(printed[4]?.[0]).toMatchObject({
      tableName: 'users',
      applied: true,
      changes: [{ field: 'plan', from: 'pro', to: 'free' }],
    })
  })
})
