import ArgumentParser
import Foundation
import HeadwayPostgres
import HeadwayReport
import TestSupport
import Testing

@testable import HeadwayCLI

/// The main job end to end on a fresh database: the seeds apply and load, twice harmlessly.
@Suite struct DemoCommandTests {
    @Test func seedsLoadIdempotently() throws {
        let url = try TestDatabase.create(migrated: false)
        let page = FileManager.default.temporaryDirectory.appendingPathComponent("demo-\(UUID().uuidString).html").path
        defer { try? FileManager.default.removeItem(atPath: page) }
        for _ in 0..<2 {
            var demo = try HeadwayCommand.parseAsRoot(["demo", "--database-url", url, "--html-output", page])
            try demo.run()
        }
        let html = try String(contentsOfFile: page, encoding: .utf8)
        #expect(html.contains("<svg"))
        #expect(!html.contains("http://") && !html.contains("https://"))
        let connection = try PostgresConnection(url: url)
        let counts = try connection.query(
            """
            SELECT (SELECT count(*) FROM headway.commitments), (SELECT count(*) FROM headway.observations),
                   (SELECT count(*) FROM headway.definition_history),
                   (SELECT count(*) FROM headway.observations WHERE qualifier = 'at_least'),
                   (SELECT count(*) FROM headway.observations WHERE qualifier = 'about')
            """)[0]
        #expect(counts.values == ["5", "11", "0", "4", "1"])
        // Every run stores an assessment per commitment.
        #expect(try connection.query("SELECT count(DISTINCT commitment_key) FROM headway.assessments")[0].decode(Int.self, at: 0) == 5)
        let closures = try connection.query(
            """
            SELECT period_start::text, period_end::text, value::text FROM headway.observation_current
            WHERE metric = 'county-lines-closures' ORDER BY period_start
            """)
        #expect(closures.map(\.values) == [["2019-01-01", "2024-03-31", "5600"], ["2022-04-01", "2024-03-31", "2500"]])
    }

    /// A newcomer first sees the seed's commitments as the written answer left them (5 April
    /// 2024), then as of today, each under a heading that says which it is.
    @Test func reportsAsOfTheSeedDocumentThenToday() throws {
        let url = try TestDatabase.create()
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("headway-home-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: home) }
        let outcome = try HeadwayBinary.run(["demo"], url: url, environment: ["HEADWAY_HOME": home.path])
        #expect(outcome.succeeded, "\(outcome.errors)")
        let today = try #require(outcome.output.firstMatch(of: #/As of today, ([0-9-]+), on every figure in the database/#)).output.1
        let headings = outcome.output.split(separator: "\n").filter { $0.hasPrefix("As of ") || $0.hasPrefix("Headway report as of ") }
        #expect(
            headings == [
                "As of 2024-04-05, the date of the seed document (\"Organised Crime: Cross Border Cooperation\"): each commitment as it stood then.",
                "Headway report as of 2024-04-05 (methods version \(Assessment.methodVersion))",
                "As of today, \(today), on every figure in the database: the same commitments now.",
                "Headway report as of \(today) (methods version \(Assessment.methodVersion))",
            ])
        // Only today's assessments are stored: the dated one is shown, not kept as the present.
        let stored = try PostgresConnection(url: url).query("SELECT DISTINCT as_of::text FROM headway.assessments")
        #expect(stored.map(\.values) == [[String(today)]])
    }
}
