import Foundation
import HeadwayIngest
import HeadwayModel
import HeadwayReport
import HeadwayStore
import Testing

/// The backtest and as-of reports read from the database: commitments as they were made, figures
/// as they were published, revisions as they stood.
@Suite struct BacktestStoreTests {
    private func fixture() throws -> LoaderFixture {
        let fixture = try LoaderFixture()
        _ = try DefinitionApplier(connection: fixture.connection).apply(
            try DefinitionsReader.read(
                text: """
                    commitments:
                      - key: closures-100
                        title: Close 100 lines in 2024
                        metric: closures
                        made_on: 2024-03-10
                        baseline: { date: 2024-01 }
                        target: { value: 100 }
                        deadline: 2024-12
                      - key: arrests-later
                        title: A pledge made in 2025
                        metric: arrests
                        made_on: 2025-02-01
                        baseline: { date: 2024-01 }
                        target: { value: 10 }
                        deadline: 2024-12
                    """, fileName: "c.yaml"))
        var rows = AssessmentStoreTests.header
        for month in 1...12 {
            let period = String(format: "2024-%02d", month)
            rows += "closures,\(period),\(period),10,,answer,\(period),\n"
        }
        // March was first published as 1, and corrected to 10 on 20 May.
        rows = rows.replacingOccurrences(of: "closures,2024-03,2024-03,10,,answer,2024-03,", with: "closures,2024-03,2024-03,1,,answer,2024-03,")
        try fixture.load(rows)
        try fixture.load(AssessmentStoreTests.header + "closures,2024-03,2024-03,10,,answer,2024-05-20,corrected\n")
        return fixture
    }

    @Test func replaysUseWhatWasPublishedAtEachStep() throws {
        let fixture = try fixture()
        let store = AssessmentStore(connection: fixture.connection)
        // Version 2's forecast, whose pace over these five months is their average, by hand.
        let replays = try store.backtest(today: try CivilDate(parsing: "2025-06-30"), every: .month, method: .randomWalk)
        #expect(replays.map(\.key) == ["closures-100"])  // no arrests figures: that outcome is unknown
        let replay = try #require(replays.first)
        #expect(replay.outcome == .achieved)
        #expect(replay.steps.first?.date == (try CivilDate(parsing: "2024-03-31")))  // made on 10 March
        // At the end of April the March figure still read 1: 21 by April; by May, 50 with the correction.
        let april = try #require(replay.steps.first { $0.date.description == "2024-04-30" })
        let may = try #require(replay.steps.first { $0.date.description == "2024-05-31" })
        #expect((april.valueAtDeadline ?? 0) < (may.valueAtDeadline ?? 0))
        #expect(abs((may.valueAtDeadline ?? 0) - (50 + 50.0 / 152 * 214)) < 0.001)  // 50 in 152 days; 214 days left
        #expect(replay.settledOn == (try CivilDate(parsing: "2024-10-31")))
    }

    @Test func aReportAsOfADateLeavesOutCommitmentsMadeAfterIt() throws {
        let fixture = try fixture()
        let store = AssessmentStore(connection: fixture.connection)
        let early = try CivilDate(parsing: "2024-01-31")
        #expect(try store.assess(asOf: early).isEmpty)  // both made later
        #expect(try store.countMadeAfter(early) == 2)
        let middle = try CivilDate(parsing: "2024-06-30")
        #expect(try store.assess(asOf: middle).map(\.key) == ["closures-100"])
        #expect(try store.countMadeAfter(middle) == 1)
        #expect(try store.countMadeAfter(middle, keys: ["closures-100"]) == 0)
        #expect(try store.assess(asOf: try CivilDate(parsing: "2025-06-30")).count == 2)
        #expect(try store.assessForStoring(asOf: middle).leftOut == 1)
        // The text formats say so.
        let report = try store.assessForStoring(asOf: middle)
        for text in [TextReport.render(report.assessments, asOf: middle, leftOut: report.leftOut),
                     MarkdownReport.render(report.assessments, asOf: middle, leftOut: report.leftOut),
                     HTMLReport.render(report.assessments, asOf: middle, leftOut: report.leftOut)] {
            #expect(text.contains("1 commitment made after 2024-06-30 is left out"))
        }
        #expect(!TextReport.render(report.assessments, asOf: middle).contains("left out"))
    }
}
