import Foundation
import HeadwayStore
import TestSupport
import Testing

/// The dashboard in a real browser: `browser/dashboard.py` drives headless Chromium (Debian's
/// chromium and chromium-driver, with Selenium and axe-selenium-python) over every page of a
/// served test database at 390, 1280 and 1920 px (charts included: three value ticks or more,
/// no tick label over other chart text). It fails, with an install hint, when any of
/// those is missing.
@Suite(.serialized, .timeLimit(.minutes(10))) struct DashboardBrowserTests {
    static let browserScripts = ResourceLocator.sourceRoot.appendingPathComponent("Tests/HeadwayServerTests/browser")

    struct Findings: Decodable {
        let problems: [String]
        let first_contentful_paint_ms: [String: Double]
        let checked: Int
    }

    /// Runs `dashboard.py` on `pages` of a server on `url`.
    static func check(url: String, pages: [[String: Any]], paint: [String] = []) async throws -> Findings {
        let server = try await RunningServer(url: url)
        let config: [String: Any] = ["base": "http://127.0.0.1:\(server.port)", "widths": [390, 1280, 1920], "pages": pages, "paint": paint]
        let output = try await run("dashboard.py", config: config)
        try await server.stop()
        return try JSONDecoder().decode(Findings.self, from: output)
    }

    /// Runs one of the browser scripts with `config`, off Swift's cooperative threads (it takes a
    /// while, and the server in this process needs them), and returns what it printed.
    static func run(_ script: String, config: [String: Any]) async throws -> Data {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("browser-\(UUID().uuidString).json")
        try JSONSerialization.data(withJSONObject: config).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let path = browserScripts.appendingPathComponent(script).path
        let outcome: ChildProcess.Outcome = try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(with: Result { try ChildProcess(["/usr/bin/env", "python3", path, file.path], separateErrors: true).wait() })
            }.start()
        }
        guard outcome.succeeded else {
            throw HeadwayError("the browser checks could not run (exit \(outcome.status)): \(outcome.errors.suffix(3_000))")
        }
        return Data(outcome.output.utf8)
    }

    @Test func everyPageIsLegibleAccessibleAndWholeWithoutScript() async throws {
        let url = try DashboardTests.create()
        let pages: [[String: Any]] = [
            ["path": "/", "rows": 5], ["path": "/?sort=deadline&order=desc&tag=crime", "rows": 3], ["path": "/?per_page=2&page=2", "rows": 2],
            ["path": "/commitments/closures-100", "figures": 5], ["path": "/commitments/closures-100?as_of=2024-07-31", "figures": 3],
            ["path": "/commitments/officers-1500", "figures": 2], ["path": "/commitments/\(pathSegment(Portfolio.awkwardKey))", "figures": 5],
            ["path": "/commitments/zz-unassessed", "figures": 2], ["path": "/metrics/closures", "figures": 5],
        ]
        let findings = try await Self.check(url: url, pages: pages, paint: ["/"])
        #expect(findings.problems == [])
        #expect(findings.checked == pages.count * 3)
        #expect((findings.first_contentful_paint_ms["/"] ?? 0) > 0)
    }

    @Test func hostileTextPagesStayWholeInTheBrowser() async throws {
        let url = try DashboardHostileTextTests.create()
        let pages: [[String: Any]] = [["path": "/", "rows": HostileText.textValues.count]] + [6, 11, 12].map {
            ["path": "/commitments/\(pathSegment(HostileText.key($0)))", "figures": 1]
        }
        let findings = try await Self.check(url: url, pages: pages)
        #expect(findings.problems == [])
    }

    struct LiveFindings: Decodable {
        let problems: [String]
        let seconds_after_command: Double?
    }

    /// The end-to-end check: a commitment's page is open; `headway load`, run as its own
    /// process, adds the (exact) figure that meets the target; the open page shows the figure and the new
    /// status within two seconds of the load finishing, without being reloaded.
    @Test func aFigureLoadedFromTheCommandLineUpdatesTheOpenPage() async throws {
        let url = try DashboardTests.create()
        let figure = FileManager.default.temporaryDirectory.appendingPathComponent("live-\(UUID().uuidString).csv")
        try Data("""
            metric,period_start,period_end,value,qualifier,source,published_on,note
            officers,,2025-06-30,1600,,stats,2025-07-10,loaded while the page was open

            """.utf8).write(to: figure)
        defer { try? FileManager.default.removeItem(at: figure) }
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("headway-home-\(UUID().uuidString)").path
        let server = try await RunningServer(url: url)
        let config: [String: Any] = [
            "base": "http://127.0.0.1:\(server.port)", "path": "/commitments/officers-1500", "within": 2,
            "command": ["/usr/bin/env", "HEADWAY_DATABASE_URL=\(url)", "HEADWAY_HOME=\(home)", try HeadwayBinary.path(), "load", figure.path],
            "expect": ["loaded while the page was open", "achieved"],
        ]
        let output = try await Self.run("live.py", config: config)
        try await server.stop()
        let findings = try JSONDecoder().decode(LiveFindings.self, from: output)
        #expect(findings.problems == [])
        #expect(findings.seconds_after_command != nil)
    }
}
