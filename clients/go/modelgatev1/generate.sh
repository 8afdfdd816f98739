#!/bin/sh
# Generates the modelgate.v1 Go messages from ../../../proto into this directory.
# The .proto files carry no go_package option, so each one is mapped here (M flags).
set -eu
cd "$(dirname "$0")"
PROTO_ROOT=../../../proto
PACKAGE=modelgate.dev/client/modelgatev1
rm -f ./*.pb.go
mappings=""
files=""
for path in "$PROTO_ROOT"/modelgate/v1/*.proto; do
    name=modelgate/v1/$(basename "$path")
    mappings="$mappings,M$name=$PACKAGE"
    files="$files $name"
done
# shellcheck disable=SC2086
protoc -I "$PROTO_ROOT" --go_out=. --go_opt=module=$PACKAGE$mappings $files
