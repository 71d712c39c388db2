// The newcomer test (CI step, after the tests): what a new user gets from npm, checked end to
// end. Packs every publishable package under packages/ (each non-private one, so a new package is
// covered when it lands), checks the packed manifests, installs the tarballs into a fresh app
// outside the workspace, typechecks (strict, nodenext) and runs README's Kysely example there,
// runs the `chronicle` binary on the database it wrote (logs, and studio serving the viewer's
// prebuilt pages from the installed package), and lints each tarball with publint and
// attw. Any failure exits non-zero. Usage: node scripts/newcomer.ts (Node 24, pnpm 12 on PATH).
import { execFileSync, spawn } from 'node:child_process'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { tsBlockUnder } from './markdown.ts'

const root = join(import.meta.dirname, '..')
const lockfile = readFileSync(join(root, 'pnpm-lock.yaml'), 'utf8')
const publint = '0.3.25'
const attw = '0.18.5'

/** The version the workspace's lockfile resolves `name` to, so the app tests what CI tests. */
function locked(name: string): string {
  const quoted = name.startsWith('@') ? `'${name}'` : name
  const match = new RegExp(
    `\\n {6}${quoted.replace(/[/.*]/g, '\\$&')}:\\n {8}specifier: [^\\n]+\\n {8}version: ([^\\s(]+)`,
  ).exec(lockfile)
  if (!match?.[1]) throw new Error(`${name} is not in pnpm-lock.yaml`)
  return match[1]
}

const failures: string[] = []
function check(ok: boolean, message: string): void {
  if (!ok) failures.push(message)
}

function run(command: string, args: string[], cwd: string): string {
  try {
    return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string }
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}\n${stdout}${stderr}`)
  }
}

const started = Date.now()
function step(title: string): void {
  console.log(`\n[newcomer ${((Date.now() - started) / 1000).toFixed(1)}s] ${title}`)
}

// --- pack ------------------------------------------------------------------
const work = mkdtempSync(join(tmpdir(), 'chronicle-newcomer-'))
const tarballs = join(work, 'tarballs')
mkdirSync(tarballs)
const packages = readdirSync(join(root, 'packages'))
  .map((dir) => ({ dir, file: join(root, 'packages', dir, 'package.json') }))
  .filter(({ file }) => existsSync(file))
  .map(({ dir, file }) => ({ dir, manifest: JSON.parse(readFileSync(file, 'utf8')) }))
  .filter(({ manifest }) => manifest.private !== true)

step(`packing ${packages.map((p) => p.manifest.name).join(', ')} into ${tarballs}`)
run('pnpm', ['run', '--silent', 'build'], root)
const packed = packages.map(({ dir, manifest }) => {
  run('pnpm', ['pack', '--pack-destination', tarballs], join(root, 'packages', dir))
  const tarball = join(
    tarballs,
    `${manifest.name.replace('@', '').replace('/', '-')}-${manifest.version}.tgz`,
  )
  return { dir, name: manifest.name as string, tarball }
})

// --- what the registry would serve -------------------------------------------
step('checking the packed manifests')
for (const { dir, name, tarball } of packed) {
  const files = run('tar', ['-tzf', tarball], work).split('\n')
  const pkg = JSON.parse(run('tar', ['-xzOf', tarball, 'package/package.json'], work))
  for (const file of ['package/README.md', 'package/LICENSE']) {
    check(files.includes(file), `${name}: the tarball has no ${file.slice(8)}`)
  }
  for (const field of ['description', 'license', 'keywords', 'homepage', 'bugs']) {
    check(pkg[field] !== undefined, `${name}: package.json has no ${field}`)
  }
  check(
    pkg.repository?.directory === `packages/${dir}`,
    `${name}: repository.directory is not packages/${dir}`,
  )
  check(pkg.devDependencies === undefined, `${name}: the published manifest lists devDependencies`)
  for (const [dep, range] of Object.entries({ ...pkg.dependencies, ...pkg.peerDependencies })) {
    check(!String(range).startsWith('workspace:'), `${name}: ${dep} is "${range}"`)
    if (dep.startsWith('@chronicle/')) {
      check(String(range).startsWith('^'), `${name}: ${dep} is pinned to "${range}", not a ^ range`)
    }
  }
  // Types that use Node's (node:http, NodeJS.*) need @types/node: the manifest must say so.
  const nodeTypes = files
    .filter((file) => file.endsWith('.d.ts'))
    .some((file) => /from ['"]node:|\bNodeJS\./.test(run('tar', ['-xzOf', tarball, file], work)))
  check(
    !nodeTypes ||
      pkg.peerDependencies?.['@types/node'] !== undefined ||
      pkg.dependencies?.['@types/node'] !== undefined,
    `${name}: its .d.ts files use Node's types but it does not declare @types/node`,
  )
  console.log(
    `${name}: ${files.filter(Boolean).length} files, depends on ${JSON.stringify(pkg.dependencies ?? {})}`,
  )
}

// --- a fresh app, outside the workspace --------------------------------------
const app = join(work, 'app')
mkdirSync(app)
step(`installing the tarballs into a fresh app: ${app}`)
const dependencies = {
  ...Object.fromEntries(packed.map(({ name, tarball }) => [name, `file:${tarball}`])),
  kysely: locked('kysely'),
  'better-sqlite3': locked('better-sqlite3'),
  // Peers of the other adapters, pinned so that npm does not pick whatever is newest.
  'drizzle-orm': locked('drizzle-orm'),
  '@prisma/client': locked('@prisma/client'),
  '@prisma/driver-adapter-utils': locked('@prisma/driver-adapter-utils'),
}
const devDependencies = {
  typescript: locked('typescript'),
  '@types/node': locked('@types/node'),
  '@types/better-sqlite3': locked('@types/better-sqlite3'),
  publint,
  '@arethetypeswrong/cli': attw,
}
writeFileSync(
  join(app, 'package.json'),
  `${JSON.stringify({ name: 'newcomer-app', private: true, type: 'module', dependencies, devDependencies }, null, 2)}\n`,
)
writeFileSync(
  join(app, 'tsconfig.json'),
  `${JSON.stringify(
    {
      compilerOptions: {
        target: 'es2023',
        module: 'nodenext',
        strict: true,
        noEmit: true,
        skipLibCheck: false,
        allowImportingTsExtensions: true,
        types: ['node'],
      },
      include: ['*.ts'],
    },
    null,
    2,
  )}\n`,
)
run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], app)
console.log(run('npm', ['ls', '--depth=0'], app).trim())

// --- README's Kysely example ---------------------------------------------------
const readme = readFileSync(join(root, 'README.md'), 'utf8')
writeFileSync(join(app, 'kysely-example.ts'), tsBlockUnder(readme, 'Kysely in 30 seconds'))
step('typechecking README\'s "Kysely in 30 seconds" (strict, nodenext, skipLibCheck off)')
run(join(app, 'node_modules/.bin/tsc'), ['-p', '.'], app)
console.log('tsc: no errors')
step('running it')
console.log(run(process.execPath, ['kysely-example.ts'], app).trim())
step('the chronicle binary on the database it wrote')
console.log(run(join(app, 'node_modules/.bin/chronicle'), ['logs', '--db', 'app.db'], app).trim())

// --- the viewer's prebuilt pages, served from the installed package ---------------
step('chronicle studio: the viewer from the installed package')
await studioCheck()

/** `chronicle studio` on the app's database: the page, its script and the API answer. */
async function studioCheck(): Promise<void> {
  const child = spawn(
    join(app, 'node_modules/.bin/chronicle'),
    ['studio', '--db', 'app.db', '--port', '0'],
    {
      cwd: app,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  )
  try {
    let printed = ''
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk) => {
        printed += chunk
        const found = /http:\/\/[^\s]+\//.exec(printed)?.[0]
        if (found) resolve(found)
      })
      child.on('exit', (code) => reject(new Error(`chronicle studio exited (${code}): ${printed}`)))
    })
    for (const [path, expected] of [
      ['', '<meta name="chronicle-base"'],
      ['assets/app.js', 'chronicle-base'],
      ['api/entries?limit=1', '"items"'],
    ] as const) {
      const response = await fetch(new URL(path, url))
      const body = await response.text()
      check(
        response.ok && body.includes(expected),
        `studio ${path || '/'}: ${response.status}, ${body.slice(0, 200)}`,
      )
      console.log(`GET /${path} -> ${response.status} ${response.headers.get('content-type')}`)
    }
  } finally {
    child.kill('SIGTERM')
  }
}

// --- publint and attw on each tarball -------------------------------------------
step(`publint ${publint} and attw ${attw} (--profile esm-only) on each tarball`)
for (const { name, tarball } of packed) {
  try {
    const report = run(join(app, 'node_modules/.bin/publint'), ['run', tarball, '--strict'], app)
    console.log(`${name}: publint: ${report.trim().split('\n').at(-1)}`)
  } catch (error) {
    failures.push(`${name}: publint failed\n${(error as Error).message}`)
  }
  try {
    const args = [tarball, '--profile', 'esm-only', '--format', 'json']
    const { analysis } = JSON.parse(run(join(app, 'node_modules/.bin/attw'), args, app))
    // attw exits non-zero on a problem its profile counts; esm-only ignores require() from CJS.
    console.log(`${name}: attw: ok for ${Object.keys(analysis.entrypoints).join(', ')}`)
  } catch (error) {
    failures.push(`${name}: attw found problems\n${(error as Error).message}`)
  }
}

if (failures.length > 0) {
  console.error(`\n[newcomer] FAILED (the app is in ${app}):\n- ${failures.join('\n- ')}`)
  process.exit(1)
}
rmSync(work, { recursive: true, force: true })
step(`ok: ${packed.length} packages`)
