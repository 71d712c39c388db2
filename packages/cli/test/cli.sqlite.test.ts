import { cliSuite } from './cli-suite.js'

await cliSuite('sqlite')
