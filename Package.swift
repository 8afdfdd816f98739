// swift-tools-version:6.2
import PackageDescription

// Dependencies used by more than one target.
let nioCore: Target.Dependency = .product(name: "NIOCore", package: "swift-nio")
let nioPosix: Target.Dependency = .product(name: "NIOPosix", package: "swift-nio")
let logging: Target.Dependency = .product(name: "Logging", package: "swift-log")
let serviceLifecycle: Target.Dependency = .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")

let package = Package(
    name: "ModelGate",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "modelgate", targets: ["modelgate"]),
        .library(name: "ModelGateClient", targets: ["ModelGateClient"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        // The protobuf wire format and the frame format: pure Swift, no NIO.
        .target(name: "ModelGateWire"),
        .testTarget(name: "ModelGateWireTests", dependencies: ["ModelGateWire"]),

        // modelgate.v1: hand-written message types, status codes, method names.
        .target(name: "ModelGateAPI", dependencies: ["ModelGateWire"]),
        .testTarget(
            name: "ModelGateAPITests",
            dependencies: ["ModelGateAPI", "ModelGateWire", "ModelGateTestSupport"]
        ),

        // The RPC protocol on SwiftNIO: framing handlers, streams, flow control, limits.
        .target(name: "ModelGateRPC", dependencies: ["ModelGateWire", "ModelGateAPI", "ModelGateTLS", nioCore, nioPosix, logging, serviceLifecycle]),
        .testTarget(
            name: "ModelGateRPCTests",
            dependencies: [
                "ModelGateRPC", "ModelGateTLS", "ModelGateTestSupport",
                // Test-only dependencies:
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ]
        ),

        // TLS termination on the system OpenSSL 3: a NIO handler over memory BIOs,
        // contexts (reloadable on the server), development certificates.
        .target(name: "ModelGateTLS", dependencies: ["CModelGateOpenSSL", nioCore]),
        .testTarget(
            name: "ModelGateTLSTests",
            dependencies: [
                "ModelGateTLS", "ModelGateTestSupport",
                // Test-only dependencies:
                nioPosix,
            ]
        ),

        // The server: storage, auth, control plane, serving.
        .target(
            name: "ModelGateServer",
            dependencies: [
                "ModelGateAPI", "ModelGateRPC", "ModelGateTLS", "CModelGateSQLite", "CModelGateOpenSSL",
                nioCore, nioPosix, logging, serviceLifecycle,
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            // The Python replica harness, shipped with the server (found with `Bundle.module`).
            // Note: `.copy` copies the folder whole: the exclusion of its tests does not keep
            // them out of the bundle, and a `__pycache__` cannot be excluded (no patterns).
            exclude: ["Resources/runtime/tests", "DataPlane/README.md"],
            resources: [.copy("Resources/runtime")]
        ),
        .testTarget(
            name: "ModelGateServerTests",
            dependencies: ["ModelGateServer", "ModelGateClient", "ModelGateTestSupport"],
            resources: [.copy("Fixtures")]
        ),

        // The async/await Swift client.
        .target(name: "ModelGateClient", dependencies: ["ModelGateAPI", "ModelGateRPC", "ModelGateTLS", nioCore, nioPosix]),
        .testTarget(name: "ModelGateClientTests", dependencies: ["ModelGateClient", "ModelGateServer", "ModelGateTLS", "ModelGateTestSupport"]),

        // The `modelgate` command line: `serve` and the client commands.
        .target(
            name: "ModelGateCLI",
            dependencies: [
                "ModelGateServer", "ModelGateClient", "ModelGateAPI", "ModelGateTLS", logging, serviceLifecycle,
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "ModelGateCLITests", dependencies: ["ModelGateCLI", "ModelGateAPI", "ModelGateClient", "ModelGateTLS", "ModelGateTestSupport"]),
        .executableTarget(name: "modelgate", dependencies: ["ModelGateCLI"]),

        // System libraries.
        .systemLibrary(name: "CModelGateOpenSSL", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CModelGateSQLite", providers: [.apt(["libsqlite3-dev"])]),

        // Fixtures shared by the test targets.
        .target(name: "ModelGateTestSupport", dependencies: ["ModelGateWire", "ModelGateAPI", logging]),
    ]
)

for target in package.targets where target.type != .system {
    var settings = target.swiftSettings ?? []
    settings.append(contentsOf: [
        .swiftLanguageMode(.v6),
        .enableUpcomingFeature("ExistentialAny"),
        .enableUpcomingFeature("MemberImportVisibility"),
    ])
    target.swiftSettings = settings
}
