// swift-tools-version:6.2
import PackageDescription

// The loopback benchmark: ModelGate's RPC layer against the same frames over a
// raw NIO socket, and the memory of an idle connection. A separate package so
// it always builds in release with its own .build; run it with ./run.
let package = Package(
    name: "ModelGateBench",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "ModelGate", path: "../.."),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    ],
    targets: [
        .executableTarget(
            name: "modelgate-bench",
            dependencies: [
                // ModelGateClient is the root package's library product; it brings
                // ModelGateRPC, ModelGateAPI, ModelGateWire and ModelGateTLS.
                .product(name: "ModelGateClient", package: "ModelGate"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: [
                .swiftLanguageMode(.v6),
                .enableUpcomingFeature("ExistentialAny"),
            ]
        ),
    ]
)
