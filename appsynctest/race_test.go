//go:build race

package appsynctest_test

// slowdown scales the time bounds of tests: the race detector makes the
// server several times slower.
const slowdown = 5
