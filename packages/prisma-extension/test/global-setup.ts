import { generate } from './generate.ts'

/** Vitest global setup: the Prisma clients the tests import, generated offline. */
export default function setup(): void {
  generate()
}
