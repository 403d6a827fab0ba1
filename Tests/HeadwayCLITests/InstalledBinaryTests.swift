import Foundation
import HeadwayStore
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `scripts/install PREFIX` gives one self-contained binary: no Swift runtime library from the
/// toolchain, the migrations and seeds inside it, completions and a manual beside it. Run from
/// a folder of its own with this clone out of reach (hidden behind an empty mount where the test
/// may make one), it migrates, runs the demo and reports.
///
/// scripts/test installs into `.build/install-check` before the tests (`HEADWAY_INSTALLED_PREFIX`
/// names another prefix); `swift build` cannot run here, inside `swift test`.
@Suite(.serialized) struct InstalledBinaryTests {
    static var prefix: URL {
        if let configured = ProcessInfo.processInfo.environment["HEADWAY_INSTALLED_PREFIX"], !configured.isEmpty {
            return URL(fileURLWithPath: configured)
        }
        return ResourceLocator.sourceRoot.appendingPathComponent(".build/install-check")
    }

    static func installedBinary() throws -> String {
        let binary = prefix.appendingPathComponent("bin/headway").path
        try #require(
            FileManager.default.isExecutableFile(atPath: binary),
            "no installed headway at \(binary): run scripts/install \(prefix.path) first (scripts/test does)")
        return binary
    }

    @Test func theBinaryNeedsNoSwiftRuntimeLibrary() throws {
        let binary = try Self.installedBinary()
        let ldd = try ChildProcess(["/usr/bin/ldd", binary]).wait()
        #expect(ldd.succeeded, "\(ldd.errors)")
        let libraries = ldd.output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(libraries.contains { $0.hasPrefix("libpq.so") }, "\(ldd.output)")
        for library in libraries {
            #expect(!library.contains("libswift") && !library.contains("libFoundation") && !library.contains("libdispatch"), "\(library)")
            #expect(!library.contains("not found"), "\(library)")
        }
    }

    @Test func completionsAndTheManualAreInstalled() throws {
        let share = Self.prefix.appendingPathComponent("share")
        for (path, needle) in [
            ("bash-completion/completions/headway", "_headway"), ("zsh/site-functions/_headway", "#compdef headway"),
            ("fish/vendor_completions.d/headway.fish", "complete -c 'headway'"), ("man/man1/headway.1", ".Nm headway"),
            ("man/man1/headway.1", "--as-of"), ("man/man1/headway.1", "backtest"),
        ] {
            let text = try String(contentsOf: share.appendingPathComponent(path), encoding: .utf8)
            #expect(text.contains(needle), "\(path)")
        }
    }

    @Test func itMigratesRunsTheDemoAndReportsWithTheCloneOutOfReach() throws {
        let folder = try ScratchHome()
        defer { folder.remove() }
        let binary = folder.url.appendingPathComponent("bin/headway")
        try FileManager.default.createDirectory(at: binary.deletingLastPathComponent(), withIntermediateDirectories: true)
        // Copied by cp, not by this process: a file this process held open for writing would be
        // inherited by the processes other tests start meanwhile, and exec would fail with ETXTBSY.
        let copy = try ChildProcess(["/bin/cp", try Self.installedBinary(), binary.path]).wait()
        try #require(copy.succeeded, "\(copy.errors)")
        let home = folder.url.appendingPathComponent("home").path
        let hidden = Self.canHideTheClone
        func run(_ arguments: [String]) throws -> ChildProcess.Outcome {
            // In a folder of its own, and where the test may, with the clone hidden from it.
            let script = (hidden ? "mount -t tmpfs headway-hidden \"$1\" && " : "") + "cd \"$2\" && shift 2 && exec \"$@\""
            let argv = (hidden ? ["/usr/bin/unshare", "--mount", "--propagation", "private"] : []) + ["/bin/sh", "-c", script, "sh"]
            return try ChildProcess(
                argv + [ResourceLocator.sourceRoot.path, folder.url.path, binary.path] + arguments,
                environment: [
                    "HEADWAY_HOME": home, "HEADWAY_DATABASE_URL": nil, "DATABASE_URL": nil, "HEADWAY_SQL_DIR": nil, "HEADWAY_SEEDS_DIR": nil,
                    "NO_COLOR": "1",
                ],
                separateErrors: true
            ).wait()
        }
        defer { _ = try? run(["db", "stop"]) }

        let version = try run(["--version"])
        let expected = try String(contentsOf: ResourceLocator.sourceRoot.appendingPathComponent("VERSION"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(version.output.hasPrefix("\(expected) (commit "), "\(version.output)")
        #expect(version.output.range(of: #"\(commit [0-9a-f]{12}(-dirty)?\)"#, options: .regularExpression) != nil, "\(version.output)")

        if hidden {
            let look = try run(["/bin/ls", ResourceLocator.sourceRoot.appendingPathComponent("sql").path])
            #expect(!look.succeeded, "the clone is still in reach")
        }
        let migrate = try run(["db", "migrate"])
        #expect(migrate.succeeded, "\(migrate.errors)")
        let demo = try run(["demo"])
        #expect(demo.succeeded, "\(demo.errors)")
        #expect(demo.output.contains("Definitions (housing-supply-england.yaml, written-answer-2024-04-05.yaml)"), "\(demo.output)")
        #expect(demo.output.contains("11 rows: 10 inserted, 0 unchanged, 1 revised"), "\(demo.output)")
        let report = try run(["report", "--format", "json", "--as-of", "2024-04-05", "drugs-strategy-2000-closures"])
        #expect(report.succeeded, "\(report.errors)")
        #expect(report.output.contains("\"status\": \"achieved\""), "\(report.output)")
    }

    /// As root with util-linux's unshare, a private mount namespace can lay an empty folder over
    /// the clone for the binary's process alone.
    static var canHideTheClone: Bool { geteuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare") }
}
