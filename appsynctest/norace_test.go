//go:build !race

package appsynctest_test

// slowdown scales the time bounds of tests (see race_test.go).
const slowdown = 1
