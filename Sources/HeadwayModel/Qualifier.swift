/// How exactly a published figure states its value ("over 2,500", "around £70m").
public enum Qualifier: String, Sendable, CaseIterable, Codable, Comparable {
    /// The figure is the value.
    case exact
    /// "around", "approximately", "nearly", estimates: the value is uncertain both ways.
    case about
    /// "over", "more than": the true value is at least this.
    case atLeast = "at_least"
    /// "fewer than", "under": the true value is at most this.
    case atMost = "at_most"

    /// Orders by strength of evidence, strongest first: exact, then the one-sided bounds, then
    /// about. A derived point carries the weakest qualifier of its inputs.
    private var weakness: Int {
        switch self {
        case .exact: 0
        case .atLeast, .atMost: 1
        case .about: 2
        }
    }

    public static func < (lhs: Qualifier, rhs: Qualifier) -> Bool { lhs.weakness < rhs.weakness }

    /// The weakest of two qualifiers. Opposite one-sided bounds combine to `about`, since
    /// together they bound the value in neither direction.
    public func combined(with other: Qualifier) -> Qualifier {
        if self == other { return self }
        if (self == .atLeast && other == .atMost) || (self == .atMost && other == .atLeast) { return .about }
        return max(self, other)
    }

    /// Parses the CSV/YAML spelling (`exact`, `about`, `at_least`, `at_most`); empty means `exact`.
    public init?(text: String) {
        if text.isEmpty {
            self = .exact
        } else {
            self.init(rawValue: text)
        }
    }
}
