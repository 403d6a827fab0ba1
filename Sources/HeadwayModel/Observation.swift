import Foundation

/// One published figure for a metric over a period (additive) or at a date (level).
///
/// Its identity is (metric, periodStart, periodEnd); a different value for the same identity is
/// a revision, current from its `publishedOn`.
public struct Observation: Hashable, Sendable {
    public var metric: String
    /// The first day the amount covers; nil for level metrics.
    public var periodStart: CivilDate?
    /// The last day the amount covers, or the date a level was observed.
    public var periodEnd: CivilDate
    public var value: Decimal
    public var qualifier: Qualifier
    public var source: String?
    /// The knowledge date: when this figure became public.
    public var publishedOn: CivilDate
    public var note: String?

    public init(
        metric: String, periodStart: CivilDate?, periodEnd: CivilDate, value: Decimal, qualifier: Qualifier = .exact,
        source: String? = nil, publishedOn: CivilDate, note: String? = nil
    ) {
        self.metric = metric
        self.periodStart = periodStart
        self.periodEnd = periodEnd
        self.value = value
        self.qualifier = qualifier
        self.source = source
        self.publishedOn = publishedOn
        self.note = note
    }
}
