import { packageBuild } from '../../tsup.base.ts'

// Declarations for the library entry only: bin.ts is the executable.
export default packageBuild({
  entry: ['src/index.ts', 'src/bin.ts'],
  dts: { entry: 'src/index.ts' },
})
