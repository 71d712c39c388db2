import { runContract } from '@chronicle/test-kit'
import { kyselyAdapter } from './kysely-factory.js'

await runContract(kyselyAdapter, 'mariadb')
