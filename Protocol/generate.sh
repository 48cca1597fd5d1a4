#!/usr/bin/env bash
# Regenerates the committed Swift code from the .proto files in this folder.
# Needs protoc (Debian: protobuf-compiler) and protoc-gen-swift built from the same
# swift-protobuf version Package.swift uses:
#   git clone <mirror>/apple/swift-protobuf.git /tmp/swift-protobuf && cd /tmp/swift-protobuf \
#     && git checkout 1.39.0 && swift build -c release --product protoc-gen-swift
set -euo pipefail
cd "$(dirname "$0")/.."
plugin=${PROTOC_GEN_SWIFT:-/tmp/swift-protobuf/.build/release/protoc-gen-swift}
gen() { # proto-file output-dir
  protoc --plugin="$plugin" --swift_out="$2" --swift_opt=Visibility=Package \
    --swift_opt=UseAccessLevelOnImports=true -IProtocol "$1"
}
gen Protocol/ticketsync/v1/model.proto Sources/TicketModel/Encoding/Generated
# sync.proto uses model.proto's messages, which live in the TicketModel module.
printf 'mapping { module_name: "TicketModel" proto_file_path: "ticketsync/v1/model.proto" }\n' > /tmp/ticketsync-module-map.asciipb
protoc --plugin="$plugin" --swift_out=Sources/TicketSyncProtocol/Generated --swift_opt=Visibility=Package \
  --swift_opt=UseAccessLevelOnImports=true --swift_opt=ProtoPathModuleMappings=/tmp/ticketsync-module-map.asciipb \
  -IProtocol Protocol/ticketsync/v1/sync.proto
