// swift-tools-version:6.2
import PackageDescription

// The libFuzzer target for ModelGate's decoders and the server's connection
// pipeline. A separate package so its sanitizer build (its own .build) never
// touches the main package's; build and run it with ./run.
let package = Package(
    name: "ModelGateFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "ModelGate", path: "../.."),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    ],
    targets: [
        .executableTarget(
            name: "ModelGateFuzz",
            dependencies: [
                .product(name: "ModelGateClient", package: "ModelGate"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: [
                .swiftLanguageMode(.v6),
                // libFuzzer provides main(); the target has only LLVMFuzzerTestOneInput.
                .unsafeFlags(["-parse-as-library"]),
            ]
        ),
    ]
)
