import { runContract } from '@chronicle/test-kit'
import { prismaAdapter } from './prisma-factory.js'

await runContract(prismaAdapter, 'postgres')
