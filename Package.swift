// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "Headway",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "headway", targets: ["headway"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/adam-fowler/compress-nio", from: "1.5.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        // libpq, the PostgreSQL C client, found through pkg-config.
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"]), .brew(["libpq"])]
        ),
        // Every CSV Headway writes, under one policy against formula injection. Pure Swift.
        .target(name: "HeadwayCSV"),
        // A small, safe PostgreSQL client over libpq. No C type leaks out of it.
        .target(
            name: "HeadwayPostgres",
            dependencies: ["CLibPQ", "HeadwayCSV", .product(name: "Logging", package: "swift-log")]
        ),
        // The measurement model and civil dates: pure Swift, no database.
        .target(name: "HeadwayModel"),
        // Reading input files: the observation CSV and the YAML/JSON definitions, checked line by line.
        .target(name: "HeadwayIngest", dependencies: ["HeadwayModel", .product(name: "Yams", package: "Yams")]),
        // The assessment: progress, pace, projection and status, and the report formats. Pure Swift.
        .target(name: "HeadwayReport", dependencies: ["HeadwayModel", "HeadwayCSV"]),
        // Migrations, the embedded cluster, loading and storing: the model in PostgreSQL.
        // sql/ and seeds/ are built into it (EmbedFiles), so an installed binary needs no files.
        .target(
            name: "HeadwayStore",
            dependencies: [
                "HeadwayPostgres", "HeadwayModel", "HeadwayIngest", "HeadwayReport", "HeadwayCSV",
                .product(name: "Logging", package: "swift-log"),
            ],
            plugins: ["EmbedFiles"]
        ),
        // Writes sql/ and seeds/ as Swift source at build time, for the EmbedFiles plugin.
        .executableTarget(name: "EmbedFilesTool"),
        .plugin(name: "EmbedFiles", capability: .buildTool(), dependencies: ["EmbedFilesTool"]),
        // `headway serve`: the read API over HTTP, and the webhooks' delivery. Database work runs off the event loops.
        .target(
            name: "HeadwayServer",
            dependencies: [
                "HeadwayStore", "HeadwayReport", "HeadwayModel", "HeadwayIngest", "HeadwayCSV",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CompressNIO", package: "compress-nio"),
                // Webhooks: sent over HTTP(S), signed with HMAC-SHA256.
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        // The command line: one subcommand per file.
        .target(
            name: "HeadwayCLI",
            dependencies: [
                "HeadwayStore", "HeadwayModel", "HeadwayIngest", "HeadwayReport", "HeadwayServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(name: "headway", dependencies: ["HeadwayCLI"]),
        .target(name: "TestSupport", dependencies: ["HeadwayStore", "HeadwayPostgres", "HeadwayReport"], path: "Tests/TestSupport"),
        .testTarget(name: "HeadwayModelTests", dependencies: ["HeadwayModel"]),
        .testTarget(name: "HeadwayCSVTests", dependencies: ["HeadwayCSV"]),
        .testTarget(name: "HeadwayReportTests", dependencies: ["HeadwayReport", "HeadwayModel"]),
        .testTarget(name: "HeadwayIngestTests", dependencies: ["HeadwayIngest", "HeadwayModel", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "HeadwayPostgresTests", dependencies: ["HeadwayPostgres", "HeadwayModel", "HeadwayStore", "TestSupport"]),
        .testTarget(
            name: "HeadwayStoreTests", dependencies: ["HeadwayStore", "HeadwayModel", "HeadwayPostgres", "HeadwayIngest", "TestSupport"]),
        .testTarget(
            name: "HeadwayServerTests",
            dependencies: [
                "HeadwayServer", "HeadwayStore", "HeadwayReport", "HeadwayModel", "HeadwayPostgres", "HeadwayIngest", "TestSupport",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            // The dashboard's browser checks (DashboardBrowserTests); a webhook receiver and verifier (WebhookTests).
            exclude: ["browser", "webhooks"]
        ),
        .testTarget(
            name: "HeadwayCLITests",
            dependencies: [
                "HeadwayCLI", "TestSupport", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)

// Warnings fail the build, in every build of Headway's own targets (CI's among them): the
// dependencies' warnings are theirs, and SwiftPM does not show them.
for target in package.targets where target.type != .plugin && target.type != .system {
    target.swiftSettings = (target.swiftSettings ?? []) + [.treatAllWarnings(as: .error)]
}
