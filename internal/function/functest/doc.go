// Package functest holds the test helpers that the function runner's
// tests, the end-to-end tests and other packages' tests share: waiting for
// a condition (Eventually), needing a program, root or Linux (NeedProgram,
// NeedRoot, NeedLinux: skipped on a developer's machine, failed in CI), and
// asking the kernel, as a given uid, whether that uid still has processes.
// It imports no package of the module; only tests import it.
package functest
