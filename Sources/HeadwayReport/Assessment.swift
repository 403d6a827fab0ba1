import Foundation
import HeadwayModel

/// Where a commitment stands at an as-of date (DESIGN.md, "The assessment").
public struct Assessment: Sendable, Equatable {
    public enum Status: String, Sendable, CaseIterable {
        case achieved, achievedLate = "achieved_late", missed
        /// The deadline has passed and no figure reaches it yet: the projection still says what to expect.
        case awaitingData = "awaiting_data"
        case onTrack = "on_track", atRisk = "at_risk", offTrack = "off_track"
        case notStarted = "not_started", insufficientData = "insufficient_data"
    }

    public struct Pace: Sendable, Equatable {
        public var averagePerDay: Double?
        public var recentPerDay: Double?
        public var requiredPerDay: Double?
        public var requiredFromNowPerDay: Double?
    }

    public struct Projection: Sendable, Equatable {
        public static let method = "linear_recent_pace"
        public var valueAtDeadline: Double?
        public var valueAtDeadlineLow: Double?
        public var valueAtDeadlineHigh: Double?
        public var completionDate: CivilDate?
        public var completionDateLow: CivilDate?
        public var completionDateHigh: CivilDate?
    }

    /// A point of the report's series: progress where data exists, the plan everywhere.
    public struct SeriesPoint: Sendable, Equatable {
        public var date: CivilDate
        public var progress: Decimal?
        public var qualifier: Qualifier?
        public var trajectory: Double
    }

    /// The version of the methods in docs/METHODS.md that produced this assessment.
    public static let methodVersion = ForecastMethod.current.rawValue

    public var key: String
    public var title: String
    public var metric: String
    public var unit: String
    public var kind: Metric.Kind
    public var status: Status
    public var asOf: CivilDate
    public var baselineDate: CivilDate
    /// The baseline level (level metrics), or 0 (additive: an amount since the baseline).
    public var baselineValue: Decimal?
    /// The target in the metric's own terms: an amount since the baseline, or a level.
    public var targetValue: Decimal
    /// The target as progress: the amount, or the change in level, to reach.
    public var targetProgress: Decimal
    public var comparison: Commitment.Comparison
    public var deadline: CivilDate
    public var latest: ProgressPoint?
    public var percentComplete: Double?
    public var percentTimeElapsed: Double
    public var achievedOn: CivilDate?
    public var daysEarly: Int?
    public var pace: Pace
    public var projection: Projection
    /// The probability, under the projection's model, that the target is met by the deadline;
    /// nil where it cannot be said (no data, not started).
    public var probabilityMet: Double?
    /// Why the status is what it is, where the numbers alone do not say (e.g. a level baseline
    /// that cannot be read: "no level known at or before 2019-04-01: give baseline.value").
    public var reason: String?
    public var scheduleVarianceDays: Int?
    /// What the target is counted over (nil: accumulated from the baseline).
    public var over: Commitment.Over? = nil
    public var points: [ProgressPoint]
    public var series: [SeriesPoint]

    public var progress: Decimal? { latest?.progress }

    /// Whether the figures are read as a level at each date: a level metric, or the total over a
    /// trailing window (`over: year`), whose value at each date is that window's total.
    public var measuresLevel: Bool { kind == .level || over?.months != nil }
}
