import { runContract } from '@chronicle/test-kit'
import { drizzleAdapter } from './drizzle-factory.js'

await runContract(drizzleAdapter, 'sqlite')
