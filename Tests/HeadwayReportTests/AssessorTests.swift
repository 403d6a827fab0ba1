import Foundation
import HeadwayModel
import HeadwayReport
import Testing

/// Each formula of docs/METHODS.md pinned to values computed by hand (the worked examples there,
/// and an independent least-squares computation for the regression cases).
@Suite struct AssessorTests {
    static let closures = Metric(key: "closures", name: "County lines closed", unit: "lines", kind: .additive)
    static let waitingList = Metric(key: "waiting", name: "Waiting list", unit: "people", kind: .level)

    static func date(_ text: String) -> CivilDate { try! DatePeriod(parsing: text).last }
    static func start(_ text: String) -> CivilDate { try! DatePeriod(parsing: text).first }

    /// An amount over [from, to], published the day its period ends unless said otherwise.
    static func amount(_ from: String, _ to: String, _ value: Decimal, _ qualifier: Qualifier = .exact, published: String? = nil) -> ObservedFigure {
        ObservedFigure(periodStart: start(from), periodEnd: date(to), value: value, qualifier: qualifier, publishedOn: date(published ?? to))
    }

    static func level(_ at: String, _ value: Decimal, _ qualifier: Qualifier = .exact) -> ObservedFigure {
        ObservedFigure(periodStart: nil, periodEnd: date(at), value: value, qualifier: qualifier, publishedOn: date(at))
    }

    static func commitment(
        baseline: String, target: Commitment.Target, deadline: String, baselineValue: Decimal? = nil, comparison: Commitment.Comparison? = nil,
        milestones: [Commitment.Milestone] = [], metric: Metric = closures
    ) -> Commitment {
        Commitment(
            key: "c", title: "A pledge", metric: metric.key, baseline: .init(date: start(baseline), value: baselineValue), target: target,
            comparison: comparison, deadline: try! DatePeriod(parsing: deadline), milestones: milestones)
    }

    private func close(_ actual: Double?, _ expected: Double, _ tolerance: Double = 0.0001, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let actual else {
            Issue.record("expected \(expected), got nil", sourceLocation: sourceLocation)
            return
        }
        #expect(abs(actual - expected) <= tolerance, "\(actual) ≠ \(expected)", sourceLocation: sourceLocation)
    }

    /// The seed: over 2,500 closures from April 2022 to March 2024, against over 2,000 by April 2025.
    @Test func workedExampleFromTheSeed() {
        let a = Assessor.assess(
            Self.commitment(baseline: "2022-04", target: .value(2000), deadline: "2025-04"), metric: Self.closures,
            figures: [Self.amount("2022-04", "2024-03", 2500, .atLeast, published: "2024-04-05")], asOf: Self.date("2024-04-05"))
        #expect(a.status == .achieved)
        #expect(a.achievedOn == Self.date("2024-03-31"))
        #expect(a.daysEarly == 395)
        close(a.pace.averagePerDay, 2500.0 / 731)  // 731 days from 1 April 2022 to 31 March 2024
        close(a.pace.recentPerDay, 2500.0 / 731)  // one point: the recent pace is the average
        close(a.pace.requiredPerDay, 2000.0 / 1126)  // 1,126 days from 1 April 2022 to 30 April 2025
        close(a.pace.requiredFromNowPerDay, (2000.0 - 2500) / 390)
        close(a.percentComplete, 125)
        close(a.percentTimeElapsed, 736.0 / 1126 * 100)
        close(a.projection.valueAtDeadline, 2500 + 2500.0 / 731 * 395)
        #expect(a.projection.valueAtDeadlineLow == a.projection.valueAtDeadline)  // no scatter from one point
        #expect(a.scheduleVarianceDays == 677)  // the plan reaches 2,500 at day 1,407.5; we did at day 731
        #expect(a.latest?.qualifier == .atLeast)
    }

    @Test func monthlyCountsChainFromTheBaseline() {
        let months = ["2024-01", "2024-02", "2024-03", "2024-04", "2024-05", "2024-06"]
        let a = Assessor.assess(
            Self.commitment(baseline: "2024-01", target: .value(120), deadline: "2024-12"), metric: Self.closures,
            figures: months.map { Self.amount($0, $0, 10) }, asOf: Self.date("2024-07-15"))
        #expect(a.points.map(\.progress) == [10, 20, 30, 40, 50, 60])
        #expect(a.latest?.derivedFrom.count == 6)
        close(a.pace.averagePerDay, 60.0 / 182)
        close(a.pace.recentPerDay, 0.329786)
        close(a.pace.requiredPerDay, 120.0 / 366)
        close(a.pace.requiredFromNowPerDay, 60.0 / 169)
        close(a.percentTimeElapsed, 53.825137)
        close(a.projection.valueAtDeadline, 120.6805)
        close(a.projection.valueAtDeadlineLow, 120.3878)
        close(a.projection.valueAtDeadlineHigh, 120.9733)
        #expect(a.projection.completionDate == Self.date("2024-12-29"))
        #expect(a.projection.completionDateLow == Self.date("2024-12-29"))
        #expect(a.projection.completionDateHigh == Self.date("2024-12-30"))
        #expect(a.scheduleVarianceDays == 1)
        #expect(a.status == .onTrack)
    }

    @Test func aRangeThatStillReachesIsAtRiskAndOneThatDoesNotIsOffTrack() {
        let months = ["2024-01", "2024-02", "2024-03", "2024-04", "2024-05", "2024-06"]
        let figures = zip(months, [10, 4, 16, 6, 14, 8] as [Decimal]).map { Self.amount($0, $0, $1) }
        let atRisk = Assessor.assess(
            Self.commitment(baseline: "2024-01", target: .value(120), deadline: "2024-12"), metric: Self.closures, figures: figures,
            asOf: Self.date("2024-07-15"))
        close(atRisk.pace.recentPerDay, 0.32528)
        close(atRisk.projection.valueAtDeadline, 117.8515)
        close(atRisk.projection.valueAtDeadlineLow, 113.1138)
        close(atRisk.projection.valueAtDeadlineHigh, 122.5892)
        #expect(atRisk.status == .atRisk)
        let offTrack = Assessor.assess(
            Self.commitment(baseline: "2024-01", target: .value(130), deadline: "2024-12"), metric: Self.closures, figures: figures,
            asOf: Self.date("2024-07-15"))
        #expect(offTrack.status == .offTrack)
    }

    @Test func differencesOfRunningTotalsWithACommonStart() {
        let a = Assessor.assess(
            Self.commitment(baseline: "2022-04", target: .value(2000), deadline: "2025-04"), metric: Self.closures,
            figures: [Self.amount("2019", "2024-03", 5600, .atLeast), Self.amount("2019", "2022-03", 3100)], asOf: Self.date("2024-12-31"))
        #expect(a.latest?.progress == 2500)
        #expect(a.latest?.qualifier == .atLeast)  // at least 5,600 less exactly 3,100
        #expect(a.latest?.derivedFrom.count == 2)
        let unknownStart = Assessor.assess(
            Self.commitment(baseline: "2022-04", target: .value(2000), deadline: "2025-04"), metric: Self.closures,
            figures: [Self.amount("2019", "2024-03", 5600, .atLeast), Self.amount("2019", "2022-03", 3100, .atLeast)],
            asOf: Self.date("2024-12-31"))
        #expect(unknownStart.latest?.qualifier == .about)  // at least minus at least bounds nothing
        #expect(unknownStart.status != .achieved)
    }

    @Test func noDataOnePointAndNotStarted() {
        let pledge = Self.commitment(baseline: "2024-01", target: .value(100), deadline: "2024-12")
        let none = Assessor.assess(pledge, metric: Self.closures, figures: [], asOf: Self.date("2024-06-30"))
        #expect(none.status == .insufficientData)
        #expect(none.latest == nil && none.pace.recentPerDay == nil)
        let early = Assessor.assess(pledge, metric: Self.closures, figures: [], asOf: Self.date("2023-06-30"))
        #expect(early.status == .notStarted)
        let one = Assessor.assess(pledge, metric: Self.closures, figures: [Self.amount("2024-01", "2024-03", 30)], asOf: Self.date("2024-04-01"))
        close(one.pace.recentPerDay, 30.0 / 91)
        #expect(one.projection.completionDate == Self.date("2024-03-31").adding(days: Int((70.0 / (30.0 / 91)).rounded(.up))))
    }

    @Test func achievedEarlyOnTimeLateAndMissed() {
        let pledge = Self.commitment(baseline: "2024-01", target: .value(100), deadline: "2024-06")
        func assess(_ figures: [ObservedFigure], asOf: String) -> Assessment {
            Assessor.assess(pledge, metric: Self.closures, figures: figures, asOf: Self.date(asOf))
        }
        let early = assess([Self.amount("2024-01", "2024-04", 100)], asOf: "2024-05-15")
        #expect(early.status == .achieved && early.daysEarly == 61)
        let onTime = assess([Self.amount("2024-01", "2024-06", 100)], asOf: "2024-07-15")
        #expect(onTime.status == .achieved && onTime.daysEarly == 0)
        let late = assess([Self.amount("2024-01", "2024-06", 80), Self.amount("2024-01", "2024-08", 101)], asOf: "2024-09-15")
        #expect(late.status == .achievedLate && late.daysEarly == -62 && late.achievedOn == Self.date("2024-08-31"))
        let missed = assess([Self.amount("2024-01", "2024-06", 80)], asOf: "2024-07-15")
        #expect(missed.status == .missed && missed.achievedOn == nil)
    }

    @Test func qualifiersAtTheTargetBoundary() {
        let pledge = Self.commitment(baseline: "2024-01", target: .value(2000), deadline: "2024-12")
        func status(_ value: Decimal, _ qualifier: Qualifier) -> Assessment.Status {
            Assessor.assess(pledge, metric: Self.closures, figures: [Self.amount("2024-01", "2024-06", value, qualifier)], asOf: Self.date("2024-07-01")).status
        }
        #expect(status(2100, .atLeast) == .achieved)  // "over 2,100" meets 2,000
        #expect(status(2000, .exact) == .achieved)
        #expect(status(2010, .about) != .achieved)  // "about 2,010" does not prove it
        #expect(status(1990, .about) != .achieved)
        #expect(status(2100, .atMost) != .achieved)  // "under 2,100" could be under 2,000
    }

    @Test func aDecreaseTargetOnALevel() {
        // A waiting list of 1,000 to fall by 10% in 2024; it stood at 950 on 1 July.
        let pledge = Self.commitment(
            baseline: "2024-01-01", target: .percentChange(-10), deadline: "2025-01-01", baselineValue: 1000, metric: Self.waitingList)
        let a = Assessor.assess(pledge, metric: Self.waitingList, figures: [Self.level("2024-07-01", 950)], asOf: Self.date("2024-07-02"))
        #expect(a.comparison == .atMost)
        #expect(a.targetProgress == -100 && a.targetValue == 900)
        #expect(a.progress == -50)
        close(a.pace.recentPerDay, -50.0 / 182)
        close(a.projection.valueAtDeadline, 950 - 50.0 / 182 * 184)
        #expect(a.status == .onTrack)
        close(a.percentComplete, 50)
    }

    @Test func negativeProgressFromAStartBelowBaseline() {
        // Officers: baseline level read from the data (100 at the baseline), target 120.
        let pledge = Self.commitment(baseline: "2024-01-01", target: .value(120), deadline: "2025-01-01", metric: Self.waitingList)
        let a = Assessor.assess(
            pledge, metric: Self.waitingList, figures: [Self.level("2023-12-31", 100), Self.level("2024-04-01", 95)],
            asOf: Self.date("2024-04-02"))
        #expect(a.baselineValue == 100)
        #expect(a.progress == -5)
        #expect(a.status == .offTrack)
        #expect(a.projection.completionDate == nil)  // moving away from the target
        #expect((a.scheduleVarianceDays ?? 0) < 0)
    }

    @Test func aFlatSeriesHasNoCompletionDate() {
        let pledge = Self.commitment(baseline: "2024-01", target: .value(100), deadline: "2024-12")
        let a = Assessor.assess(
            pledge, metric: Self.closures, figures: ["2024-01", "2024-02", "2024-03"].map { Self.amount($0, $0, 0) }, asOf: Self.date("2024-04-01"))
        close(a.pace.recentPerDay, 0)
        #expect(a.projection.completionDate == nil && a.projection.completionDateHigh == nil)
        #expect(a.status == .offTrack)
    }

    @Test func milestonesShapeThePlan() {
        // Half the target planned in the last month: early progress is ahead of that plan.
        let pledge = Self.commitment(
            baseline: "2024-01", target: .value(100), deadline: "2024-12",
            milestones: [Commitment.Milestone(date: Self.date("2024-11"), value: 50)])
        let a = Assessor.assess(pledge, metric: Self.closures, figures: [Self.amount("2024-01", "2024-03", 25)], asOf: Self.date("2024-04-01"))
        // The plan: 0 at day 0, 50 at day 335 (30 November), 100 at day 366; it reaches 25 at day 167.5.
        #expect(a.scheduleVarianceDays == 77)  // 167.5 − 91, rounded
        let trajectoryAtPoint = a.series.first { $0.date == Self.date("2024-03") }?.trajectory
        close(trajectoryAtPoint, 91.0 * 50 / 335)
    }
}
