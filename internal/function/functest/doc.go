// Package functest holds the test helpers that the function runner's
// tests and the end-to-end tests share: waiting for a condition, and
// asking the kernel, as a given uid, whether that uid still has processes.
// It imports no package of the module; only tests import it.
package functest
