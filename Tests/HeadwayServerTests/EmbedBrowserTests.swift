import Foundation
import TestSupport
import Testing

/// The embed and the badge in a real browser, on a page of another origin as a news site would
/// show them (`browser/embed.py`, headless Chromium with axe): the embed is framed and whole at
/// 390 and 1280 px, while a dashboard page, and the embed of a server whose --embed-origins
/// leaves that origin out, are refused. Fails, with an install hint, when what it needs is missing.
@Suite(.serialized, .timeLimit(.minutes(10))) struct EmbedBrowserTests {
    struct Findings: Decodable {
        let problems: [String]
        let checked: Int
    }

    @Test func theEmbedIsFramedOnAnotherOriginAndOtherPagesAreNot() async throws {
        let url = try FeedTests.create()
        let server = try await RunningServer(url: url)
        let refusing = try await RunningServer(url: url) { $0.embedOrigins = ["https://news.example.org"] }
        var config: [String: Any] = [
            "base": "http://127.0.0.1:\(server.port)", "refused_base": "http://127.0.0.1:\(refusing.port)",
            "embed": "/embed/commitments/closures-100", "page": "/commitments/closures-100", "badge": "/badges/closures-100.svg",
            "widths": [390, 1280],
        ]
        if let directory = ProcessInfo.processInfo.environment["HEADWAY_SCREENSHOTS"] { config["screenshots"] = directory }
        let output = try await DashboardBrowserTests.run("embed.py", config: config)
        try await server.stop()
        try await refusing.stop()
        let findings = try JSONDecoder().decode(Findings.self, from: output)
        #expect(findings.problems == [])
        #expect(findings.checked == 2)
    }
}
