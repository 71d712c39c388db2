import { browserSuite } from './viewer-suite.js'

await browserSuite('sqlite')
