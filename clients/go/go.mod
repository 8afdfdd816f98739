module modelgate.dev/client

go 1.19

require google.golang.org/protobuf v1.28.1

// Debian's golang-google-protobuf-dev installs the module's source here; with
// GOPROXY=off nothing is fetched from the network.
replace google.golang.org/protobuf => /usr/share/gocode/src/google.golang.org/protobuf
