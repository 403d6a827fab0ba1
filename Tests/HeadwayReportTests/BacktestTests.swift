import Foundation
import HeadwayModel
import Testing

@testable import HeadwayReport

/// The backtest's replay, step dates, figure history and portfolio scores, on hand-made cases.
@Suite struct BacktestTests {
    static let closures = Metric(key: "closures", name: "Closures", unit: "lines", kind: .additive)
    static func date(_ text: String) -> CivilDate { try! DatePeriod(parsing: text).last }

    @Test func stepsEndEachMonthOrQuarterAndFinishToday() {
        let start = Self.date("2024-01-15"), today = Self.date("2024-05-10")
        #expect(Backtest.steps(from: start, through: today, every: .month).map(\.description)
            == ["2024-01-31", "2024-02-29", "2024-03-31", "2024-04-30", "2024-05-10"])
        #expect(Backtest.steps(from: start, through: today, every: .quarter).map(\.description) == ["2024-03-31", "2024-05-10"])
        #expect(Backtest.steps(from: Self.date("2024-03-31"), through: Self.date("2024-03-31"), every: .month).map(\.description) == ["2024-03-31"])
    }

    @Test func theHistoryGivesEachPeriodInTheRevisionCurrentThen() {
        let history = FigureHistory(sortedRevisions: [
            ObservedFigure(periodStart: Self.date("2024-01-01"), periodEnd: Self.date("2024-01"), value: 10, qualifier: .exact, revision: 1, publishedOn: Self.date("2024-02-05")),
            ObservedFigure(periodStart: Self.date("2024-01-01"), periodEnd: Self.date("2024-01"), value: 12, qualifier: .exact, revision: 2, publishedOn: Self.date("2024-04-05")),
            ObservedFigure(periodStart: Self.date("2024-02-01"), periodEnd: Self.date("2024-02"), value: 9, qualifier: .exact, revision: 1, publishedOn: Self.date("2024-03-05")),
        ])
        #expect(history.known(at: Self.date("2024-02-04")).figures.isEmpty)
        #expect(history.known(at: Self.date("2024-03-31")).figures.map(\.value) == [10, 9])
        #expect(history.known(at: Self.date("2024-04-30")).figures.map(\.value) == [12, 9])
    }

    /// Ten a month from January: 100 by December is met in October; 150 is missed.
    @Test func aReplayRecordsWhenTheStatusBecameRightAndStayedRight() throws {
        let months = (1...12).map { String(format: "2024-%02d", $0) }
        let figures = months.map { month in
            ObservedFigure(periodStart: try! DatePeriod(parsing: month).first, periodEnd: Self.date(month), value: 10, qualifier: .exact, publishedOn: Self.date(month))
        }
        let history = FigureHistory(sortedRevisions: figures)
        func pledge(_ target: Decimal, madeOn: String) -> Commitment {
            Commitment(
                key: "c\(target)", title: "t", metric: "closures", madeOn: Self.date(madeOn), baseline: .init(date: Self.date("2024-01-01"), value: nil),
                target: .value(target), deadline: try! DatePeriod(parsing: "2024-12"), milestones: [])
        }
        let today = Self.date("2025-06-30")
        let met = try #require(Backtest.replay(pledge(100, madeOn: "2024-03-10"), metric: Self.closures, history: history, today: today, every: .month))
        #expect(met.outcome == .achieved && met.met)
        #expect(met.steps.first?.date == Self.date("2024-03-31"))  // from made_on, not the baseline
        #expect(met.settledOn == Self.date("2024-10-31"))
        #expect(met.steps.last?.status == .achieved)
        #expect(met.steps.dropLast().allSatisfy { $0.isForecast && $0.right == true })
        #expect(met.rightSince == Self.date("2024-03-31"))
        #expect(met.leadTimeDays == 214)  // 31 March to 31 October
        #expect(met.valueAtDeadline == 120)

        let missed = try #require(Backtest.replay(pledge(150, madeOn: "2024-01-01"), metric: Self.closures, history: history, today: today, every: .month))
        #expect(missed.outcome == .missed && !missed.met)
        #expect(missed.settledOn == Self.date("2024-12-31"))
        #expect(missed.steps.dropLast().allSatisfy { ($0.probabilityMet ?? 1) < 0.5 })
        // Every step's range is checked against the 120 reached; the deadline step settles it.
        #expect(missed.steps.filter { $0.covered != nil }.count == 11)

        let open = Backtest.replay(pledge(200, madeOn: "2024-01-01"), metric: Self.closures, history: history, today: Self.date("2024-06-30"), every: .month)
        #expect(open == nil)  // the outcome is not known yet
    }

    @Test func brierCoverageAndReliabilityOverForecastSteps() {
        func step(_ p: Double?, _ status: Assessment.Status, covered: Bool?) -> Backtest.Step {
            Backtest.Step(date: Self.date("2024-01-31"), status: status, probabilityMet: p, valueAtDeadline: nil, valueAtDeadlineLow: nil,
                          valueAtDeadlineHigh: nil, right: nil, covered: covered)
        }
        let met = Backtest.Replay(
            key: "a", title: "a", outcome: .achieved, deadline: Self.date("2024-12"), valueAtDeadline: nil, settledOn: nil,
            steps: [step(0.8, .onTrack, covered: true), step(0.35, .atRisk, covered: false), step(1, .achieved, covered: nil)])
        let missed = Backtest.Replay(
            key: "b", title: "b", outcome: .missed, deadline: Self.date("2024-12"), valueAtDeadline: nil, settledOn: nil,
            steps: [step(nil, .insufficientData, covered: nil), step(0.02, .offTrack, covered: true), step(0, .missed, covered: nil)])
        let summary = Backtest.Summary([met, missed])
        #expect(summary.forecasts == 3)  // settled and empty steps do not count
        let expected: Double = (0.04 + 0.4225 + 0.0004) / 3  // (0.8 − 1)², (0.35 − 1)², (0.02 − 0)²
        #expect(abs((summary.brier ?? 0) - expected) < 1e-12)
        #expect(summary.rangesChecked == 3 && summary.rangesCovering == 2)
        #expect(summary.bins[8].count == 1 && summary.bins[8].observedRate == 1)
        #expect(summary.bins[3].count == 1 && summary.bins[3].meanPredicted == 0.35)
        #expect(summary.bins[0].count == 1 && summary.bins[0].observedRate == 0)
    }
}

/// Student's t against published table values (quantiles) and closed forms (CDF).
@Suite struct StudentTTests {
    @Test func quantilesMatchTheTables() {
        let table: [(Double, Double)] = [(1, 6.3138), (2, 2.9200), (3, 2.3534), (5, 2.0150), (10, 1.8125), (30, 1.6973), (1000, 1.6464)]
        for (nu, expected) in table {
            #expect(abs(StudentT.quantile(0.95, degreesOfFreedom: nu) - expected) < 0.0001, "ν = \(nu)")
            #expect(abs(StudentT.quantile(0.05, degreesOfFreedom: nu) + expected) < 0.0001, "ν = \(nu)")
        }
        #expect(abs(StudentT.quantile(0.975, degreesOfFreedom: 4) - 2.7764) < 0.0001)
    }

    @Test func cdfMatchesClosedForms() {
        for t in [-3.0, -0.5, 0, 0.2617, 1, 4] {
            #expect(abs(StudentT.cdf(t, degreesOfFreedom: 1) - (0.5 + atan(t) / .pi)) < 1e-12)  // Cauchy
            #expect(abs(StudentT.cdf(t, degreesOfFreedom: 2) - (0.5 + t / (2 * (2 + t * t).squareRoot()))) < 1e-12)
        }
    }
}
