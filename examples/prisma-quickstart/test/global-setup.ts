import { generate } from '../scripts/generate.ts'

/** Vitest global setup: the quickstart's Prisma client, generated offline. */
export default function setup(): void {
  generate()
}
