// swift-tools-version:6.0
import PackageDescription

/// Upcoming language features every fleetmock target builds with.
let upcoming: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny"), .enableUpcomingFeature("MemberImportVisibility")]

let package = Package(
    name: "fleetmock",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "fleetmock", targets: ["fleetmock"]),
        .library(name: "FleetServer", targets: ["FleetServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.0.0"),
        .package(url: "https://github.com/GraphQLSwift/GraphQL.git", from: "4.0.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.0.0"..<"5.0.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.21.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.1.0"),
    ],
    targets: [
        // <malloc.h>, for the server's allocator settings (fleetmock's AllocatorTuning).
        .systemLibrary(name: "CMalloc"),
        .systemLibrary(
            name: "CSecp256k1",
            pkgConfig: "libsecp256k1",
            providers: [.apt(["libsecp256k1-dev"]), .brew(["secp256k1"])]
        ),
        // Webhook conditions: a CEL lexer, parser, checker and evaluator; no dependencies.
        .target(name: "CEL"),
        .target(
            name: "FleetCore",
            dependencies: [
                "CSecp256k1",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "FleetHTTP",
            dependencies: [
                "FleetCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        .target(
            name: "SmartcarMock",
            dependencies: [
                "FleetCore", "FleetHTTP",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "DIMOMock",
            dependencies: [
                "CEL", "FleetCore", "FleetHTTP",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GraphQL", package: "GraphQL"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "OrderedCollections", package: "swift-collections"),
            ]
        ),
        // The control API's wire shapes and its client, shared by the server, the CLI and the harness.
        .target(
            name: "FleetControl",
            dependencies: [
                "FleetCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .target(
            name: "FleetServer",
            dependencies: [
                "FleetControl", "FleetCore", "FleetHTTP", "SmartcarMock", "DIMOMock",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .target(
            name: "FleetHarness",
            dependencies: [
                "FleetControl", "FleetCore",
                .product(name: "Yams", package: "Yams"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            resources: [.copy("Resources/drivers")]
        ),
        .executableTarget(
            name: "fleetmock",
            dependencies: [
                "CMalloc", "FleetControl", "FleetServer", "FleetHarness",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ]
        ),
        // What the HTTP-level test targets share: a server per test, response helpers, bounded waits.
        .target(name: "FleetTestSupport", dependencies: [
            "FleetCore", "FleetServer",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Logging", package: "swift-log"),
        ], path: "Tests/FleetTestSupport"),
        .testTarget(name: "FleetCoreTests", dependencies: ["FleetCore"]),
        .testTarget(name: "CELTests", dependencies: ["CEL"]),
        .testTarget(name: "SmartcarMockTests", dependencies: [
            "SmartcarMock", "FleetServer", "FleetTestSupport",
            .product(name: "HummingbirdTesting", package: "hummingbird"),
        ]),
        .testTarget(name: "DIMOMockTests", dependencies: [
            "DIMOMock", "FleetServer", "FleetTestSupport",
            .product(name: "HummingbirdTesting", package: "hummingbird"),
        ]),
        .testTarget(name: "FleetServerTests", dependencies: [
            "FleetControl", "FleetServer", "FleetTestSupport",
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ]),
        .testTarget(name: "FleetHarnessTests", dependencies: ["FleetControl", "FleetHarness"]),
    ]
)

// Every library and the CLI build with the upcoming features (tests too would be welcome later).
for target in package.targets where target.type == .regular || target.type == .executable {
    target.swiftSettings = (target.swiftSettings ?? []) + upcoming
}
