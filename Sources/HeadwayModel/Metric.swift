import Foundation

/// A measured quantity, such as county lines closed or officers in post.
public struct Metric: Hashable, Sendable {
    /// How observations of a metric relate to time (DESIGN.md, "The measurement model").
    public enum Kind: String, Sendable, CaseIterable, Codable {
        /// Amounts that add up over a period: closures, arrests, money spent.
        case additive
        /// A state at a date: officers in post, a waiting list.
        case level
    }

    public var key: String
    public var name: String
    public var unit: String
    public var kind: Kind
    /// The least and greatest value a figure may have (a count: `min` 0; a percentage: 0 and
    /// 100); nil: no bound. Figures outside are refused; forecasts stay within them.
    public var minimum: Decimal?
    public var maximum: Decimal?

    public init(key: String, name: String, unit: String, kind: Kind, minimum: Decimal? = nil, maximum: Decimal? = nil) {
        self.key = key
        self.name = name
        self.unit = unit
        self.kind = kind
        self.minimum = minimum
        self.maximum = maximum
    }
}
