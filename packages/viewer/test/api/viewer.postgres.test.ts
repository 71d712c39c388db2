import { viewerSuite } from './viewer-suite.js'

await viewerSuite('postgres')
