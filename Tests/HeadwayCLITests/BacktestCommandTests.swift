import ArgumentParser
import Foundation
import TestSupport
import Testing

@testable import HeadwayCLI

/// `headway backtest` end to end on the seed data: every format parses, and the two commitments
/// whose outcome is known (both achieved) are the ones replayed.
@Suite struct BacktestCommandTests {
    @Test func everyFormatOnTheSeed() throws {
        let url = try TestDatabase.create(migrated: false)
        let scratch = try ScratchDirectory("headway-backtest")
        let directory = scratch.url
        var demo = try HeadwayCommand.parseAsRoot(["demo", "--database-url", url, "--html-output", directory.appendingPathComponent("r.html").path])
        try demo.run()
        func backtest(_ format: String) throws -> String {
            let path = directory.appendingPathComponent("backtest.\(format)").path
            var command = try HeadwayCommand.parseAsRoot(["backtest", "--database-url", url, "--every", "quarter", "--format", format, "--output", path])
            try command.run()
            return try String(contentsOfFile: path, encoding: .utf8)
        }
        let json = try #require(try JSONSerialization.jsonObject(with: Data(try backtest("json").utf8)) as? [String: Any])
        let commitments = try #require(json["commitments"] as? [[String: Any]])
        #expect(commitments.compactMap { $0["key"] as? String } == ["drugs-strategy-2000-closures", "rocu-725-extra-officers"])
        #expect(commitments.allSatisfy { $0["outcome"] as? String == "achieved" })
        #expect((json["summary"] as? [String: Any])?["commitments"] as? Int == 2)
        let csv = try backtest("csv").split(separator: "\r\n")
        #expect(csv.first?.hasPrefix("key,outcome,deadline,value_at_deadline,date,status,probability_met") == true)
        #expect(csv.dropFirst().allSatisfy { $0.hasPrefix("drugs-strategy-2000-closures,") || $0.hasPrefix("rocu-725-extra-officers,") })
        let text = try backtest("text")
        #expect(text.contains("2 commitments with a known outcome"))
        #expect(throws: (any Error).self) { try HeadwayCommand.parseAsRoot(["backtest", "--every", "week"]) }
    }
}

/// A level baseline that cannot be read is said at `apply` (a warning) and in every report format.
@Suite struct UnreadableBaselineTests {
    @Test func applyWarnsAndReportsSayWhy() throws {
        let url = try TestDatabase.create()
        let folder = try ScratchDirectory("headway-baseline")
        let definitions = try folder.file("d.yaml", """
            metrics:
              - {key: woodland, name: Woodland created, unit: hectares, kind: level}
            commitments:
              - key: trees
                title: 30,000 hectares a year
                metric: woodland
                baseline: {date: FY2019-20}
                target: {value: 30000}
                deadline: 2025
            """)
        let figures = try folder.file("f.csv", "metric,period_end,value,published_on\nwoodland,2020-03-31,13460,2020-06-01\nwoodland,2024-03-31,20980,2024-06-01\n")
        #expect(try HeadwayBinary.run(["load", figures], url: url).status == 2)  // the metric does not exist yet
        let applied = try HeadwayBinary.run(["apply", definitions], url: url)
        #expect(applied.status == 0)
        #expect(applied.errors.contains("warning: commitment trees: no level known at or before 2019-04-01: give baseline.value"), "\(applied.errors)")
        let loaded = try HeadwayBinary.run(["load", figures], url: url)
        #expect(loaded.status == 0, "\(loaded.errors)")
        for format in ["text", "markdown", "html", "json"] {
            let report = try HeadwayBinary.run(["report", "--format", format], url: url)
            #expect(report.output.contains("no level known at or before 2019-04-01: give baseline.value"), "\(format)")
        }
    }
}
