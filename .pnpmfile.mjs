// A published manifest is for installing, not for developing: devDependencies would name the
// private @chronicle/test-kit, and scripts refer to files that are not in the tarball.
export const hooks = {
  beforePacking(pkg) {
    delete pkg.devDependencies
    delete pkg.scripts
    return pkg
  },
}
