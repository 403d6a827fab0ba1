import Foundation
import HeadwayPostgres
import HeadwayStore
import TestSupport
import Testing

/// Eight `headway load` processes at once, over overlapping files with revisions, on metrics
/// with commitments (so each also re-assesses): exactly the union of the rows and every
/// revision, and no error reaches the user (docs/RELIABILITY.md).
@Suite struct ConcurrencyTests {
    @Test func eightConcurrentOverlappingLoadsEndWithTheUnionAndEveryRevision() throws {
        let loads = 8, metrics = 4
        let scene = try CrashSafetyTests.Scene(metrics: metrics, commitmentsPerMetric: 3)
        func row(_ metric: Int, _ month: Int, _ value: Int, publishedDay: Int = 1) -> String {
            let year = 2000 + month / 12, number = month % 12 + 1
            let period = "\(year)-\(number < 10 ? "0" : "")\(number)"
            return "m\(metric),\(period),\(period),\(value),,release,2024-01-\(publishedDay < 10 ? "0" : "")\(publishedDay),\n"
        }
        var paths: [String] = []
        for load in 0..<loads {
            var text = CrashSafetyTests.header
            for metric in 0..<metrics {
                for month in 0..<200 { text += row(metric, month, month * 3 + metric) }  // in every file
                for month in (200 + load * 50)..<(300 + load * 50) { text += row(metric, month, month * 3 + metric) }  // half shared with the next
                for month in 1_000..<1_020 { text += row(metric, month, 10_000 + load, publishedDay: load + 1) }  // one revision per file
            }
            paths.append(try scene.file("part\(load).csv", text))
        }
        let processes = try paths.map { try HeadwayBinary.start(["load", $0], url: scene.url) }
        for outcome in try processes.map({ try $0.wait() }) {
            #expect(outcome.succeeded && outcome.errors.isEmpty, "exit \(outcome.status): \(outcome.errors)")
        }
        let union = metrics * (200 + (300 + (loads - 1) * 50 - 200) + 20 * loads)
        #expect(try scene.count("SELECT count(*) FROM headway.observations") == union)
        // Every identity loaded with eight different values has eight revisions, numbered 1 to 8,
        // and the current one is the latest published; every other identity has one.
        let revised = try scene.admin.query(
            """
            SELECT count(*), min(revision), max(revision), count(DISTINCT value)
            FROM headway.observations WHERE period_end >= '2083-01-01' GROUP BY metric, period_end
            """)
        #expect(revised.count == metrics * 20)
        #expect(revised.allSatisfy { $0.values == ["8", "1", "8", "8"] })
        #expect(try scene.count("SELECT count(*) FROM headway.observations WHERE period_end < '2083-01-01' AND revision > 1") == 0)
        #expect(try scene.count("SELECT count(*) FROM headway.observation_current WHERE period_end >= '2083-01-01' AND value <> 10007") == 0)
        #expect(try scene.count("SELECT count(*) FROM headway.commitment_status WHERE stale") == 0)
    }
}
