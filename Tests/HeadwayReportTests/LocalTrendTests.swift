import Foundation
import HeadwayModel
import Testing

@testable import HeadwayReport

/// Methods version 3's forecast (docs/METHODS.md, section 6) pinned to values from an independent
/// implementation of the same formulas (numpy and scipy's Student's t), and to cases that follow
/// from the model by hand.
@Suite struct LocalTrendTests {
    private func close(_ actual: Double?, _ expected: Double, _ tolerance: Double = 0.001, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let actual else {
            Issue.record("expected \(expected), got nil", sourceLocation: sourceLocation)
            return
        }
        #expect(abs(actual - expected) <= tolerance, "\(actual) ≠ \(expected)", sourceLocation: sourceLocation)
    }

    /// One figure: too few points to tell a wandering pace from noise, so version 2's walk with the
    /// floor's wander, q = (0.16 · 3.42)² / 365 = 0.00082034 a day³:
    /// s = √(42.6912 · (395 + 395² / 731) + 0.00082034 · 395³ / 3) = 206.948, t₀.₉₅,₁ = 6.3138.
    @Test func theSeedWithOneFigureWidensByTheFloorAlone() {
        let a = Assessor.assess(
            AssessorTests.commitment(baseline: "2022-04", target: .value(2000), deadline: "2025-04"), metric: AssessorTests.closures,
            figures: [AssessorTests.amount("2022-04", "2024-03", 2500, .atLeast, published: "2024-04-05")], asOf: AssessorTests.date("2024-04-05"))
        close(a.projection.valueAtDeadline, 3850.8892)
        close(a.projection.valueAtDeadlineLow, 2544.2711)
        close(a.projection.valueAtDeadlineHigh, 5157.5073)
        #expect(a.status == .achieved)

        let further = Assessor.assess(
            AssessorTests.commitment(baseline: "2022-04", target: .value(3000), deadline: "2024-08"), metric: AssessorTests.closures,
            figures: [AssessorTests.amount("2022-04", "2024-03", 2500, .atLeast, published: "2024-04-05")], asOf: AssessorTests.date("2024-04-05"))
        close(further.projection.valueAtDeadlineLow, 2428.3467)
        close(further.projection.valueAtDeadlineHigh, 3618.1649)
        close(further.probabilityMet, 0.577024, 0.000001)
        #expect(further.status == .onTrack)
    }

    /// Halving inflation (METHODS section 8): five monthly levels, all kept (28 days apart or more);
    /// no wander beyond the floor earns its place, so the filter runs at the floor's ratio.
    @Test func halvingInflationRunsTheFilterAtTheFloor() {
        let cpi = Metric(key: "cpi", name: "CPI annual rate", unit: "percent", kind: .level)
        let pledge = AssessorTests.commitment(baseline: "2022-12-31", target: .value(5.25), deadline: "2023-12", comparison: .atMost, metric: cpi)
        let levels: [(String, Decimal)] = [
            ("2022-12-31", 10.5), ("2023-01-31", 10.1), ("2023-02-28", 10.4), ("2023-03-31", 10.1), ("2023-04-30", 8.7), ("2023-05-31", 8.7),
        ]
        let figures = levels.map { AssessorTests.level($0.0, $0.1) }
        let a = Assessor.assess(pledge, metric: cpi, figures: figures, asOf: AssessorTests.date("2023-06-30"))
        close(a.pace.recentPerDay, -0.0119335757, 0.0000000001)
        close(a.projection.valueAtDeadline, 6.146215, 0.000001)
        close(a.projection.valueAtDeadlineLow, 1.267332, 0.000001)
        close(a.projection.valueAtDeadlineHigh, 11.025097, 0.000001)
        close(a.probabilityMet, 0.363216, 0.000001)
        #expect(a.status == .atRisk)
    }

    /// A pace that doubles after a year: 100 a month for twelve 30-day months, then 200. The
    /// likelihood ratio for a wandering pace passes the test, the filtered pace is close to the
    /// new one, and the range widens with the pace's wander (q = 0.0044956).
    @Test func aPaceThatDoublesIsReadAsWandering() {
        let baseline = try! CivilDate(parsing: "2021-01-01")
        let figures = (0..<24).map { index in
            ObservedFigure(
                periodStart: baseline.adding(days: 30 * index), periodEnd: baseline.adding(days: 30 * index + 29),
                value: index < 12 ? 100 : 200, qualifier: .exact, publishedOn: baseline.adding(days: 30 * index + 29))
        }
        let commitment = Commitment(
            key: "c", title: "c", metric: "closures", baseline: .init(date: baseline, value: nil), target: .value(6000), comparison: nil,
            deadline: DatePeriod(last: baseline.adding(days: 1079), precision: .day), milestones: [])
        let a = Assessor.assess(commitment, metric: AssessorTests.closures, figures: figures, asOf: baseline.adding(days: 719))
        close(a.pace.recentPerDay, 6.6450211954, 0.0000001)
        close(a.projection.valueAtDeadline, 5992.207630, 0.0001)
        close(a.projection.valueAtDeadlineLow, 5398.165561, 0.0001)
        close(a.projection.valueAtDeadlineHigh, 6586.249699, 0.0001)
        close(a.probabilityMet, 0.491140, 0.000001)
    }

    /// With no wander the filter's pace is the average since the origin, y / x: a random walk's
    /// increments are independent, so the generalized least-squares drift is the total over the days.
    @Test func withoutWanderThePaceIsTheAverageSinceTheOrigin() {
        let fit = TrendFilter.run([(0, 0), (10, 3), (25, 4), (40, 9)], ratio: 0)
        close(fit.slope, 9.0 / 40, 1e-12)
        close(fit.slopeVariance, 1.0 / 40, 1e-12)  // the variance of y / x for a walk of unit variance a day
    }
}
