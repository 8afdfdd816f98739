// Package e2e holds the Go client's end-to-end tests: they start a real
// `modelgate serve`, deploy examples/linear-regression with the modelgate CLI,
// and score it through the library and through cmd/modelgate-go.
package e2e
