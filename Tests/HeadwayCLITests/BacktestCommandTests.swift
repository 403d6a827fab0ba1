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
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("headway-backtest-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
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
