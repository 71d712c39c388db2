// The viewer UI is built here.
