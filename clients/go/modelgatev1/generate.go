// Package modelgatev1 holds the modelgate.v1 messages, generated from the
// repository's proto/ by protoc and protoc-gen-go when `go generate ./...` runs
// (scripts/test does it before `go test`). The generated files are not
// committed, so the contract in proto/ stays the only source.
package modelgatev1

//go:generate sh generate.sh
