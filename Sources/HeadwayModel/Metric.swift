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

    public init(key: String, name: String, unit: String, kind: Kind) {
        self.key = key
        self.name = name
        self.unit = unit
        self.kind = kind
    }
}
