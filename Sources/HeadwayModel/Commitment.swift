import Foundation

/// A public target on one metric: "close over 2,000 county lines by April 2025".
public struct Commitment: Hashable, Sendable {
    /// Which side of the target counts as meeting it.
    public enum Comparison: String, Sendable, CaseIterable, Codable {
        case atLeast = "at_least"
        case atMost = "at_most"
    }

    /// Where progress is counted from.
    public struct Baseline: Hashable, Sendable {
        public var date: CivilDate
        /// For level metrics: the level at `date`; nil means "the level observed at or just before it".
        public var value: Decimal?
        public init(date: CivilDate, value: Decimal? = nil) {
            self.date = date
            self.value = value
        }
    }

    /// What must be reached by the deadline.
    public enum Target: Hashable, Sendable {
        /// An absolute value: an amount since the baseline (additive) or a level.
        case value(Decimal)
        /// A change relative to the baseline, such as `+20000`.
        case change(Decimal)
        /// A percentage change relative to the baseline, such as `-10%`.
        case percentChange(Decimal)

        /// Parses `2000`, `+20000`, `-500` or `-10%`: a signed number is a change.
        public init(parsing text: String) throws {
            let trimmed = text.trimmingSpaces
            let isChange = trimmed.hasPrefix("+") || trimmed.hasPrefix("-")
            let isPercent = trimmed.hasSuffix("%")
            let number = isPercent ? String(trimmed.dropLast()) : trimmed
            guard let value = DecimalText.parse(number) else {
                throw TargetParseError(text: text)
            }
            if isPercent {
                self = .percentChange(value)
            } else {
                self = isChange ? .change(value) : .value(value)
            }
        }
    }

    /// A point of the planned trajectory.
    public struct Milestone: Hashable, Sendable {
        public var date: CivilDate
        public var value: Decimal
        public init(date: CivilDate, value: Decimal) {
            self.date = date
            self.value = value
        }
    }

    public var key: String
    public var title: String
    public var metric: String
    public var madeBy: String?
    public var madeOn: CivilDate?
    public var source: String?
    public var baseline: Baseline
    public var target: Target
    /// nil: decided from the direction of the target.
    public var comparison: Comparison?
    public var deadline: DatePeriod
    public var milestones: [Milestone]
    /// The key of the commitment this one renews or raises.
    public var extends: String?
    public var tags: [String]

    public init(
        key: String, title: String, metric: String, madeBy: String? = nil, madeOn: CivilDate? = nil,
        source: String? = nil, baseline: Baseline, target: Target, comparison: Comparison? = nil,
        deadline: DatePeriod, milestones: [Milestone] = [], extends: String? = nil, tags: [String] = []
    ) {
        self.key = key
        self.title = title
        self.metric = metric
        self.madeBy = madeBy
        self.madeOn = madeOn
        self.source = source
        self.baseline = baseline
        self.target = target
        self.comparison = comparison
        self.deadline = deadline
        self.milestones = milestones
        self.extends = extends
        self.tags = tags
    }
}

public struct TargetParseError: Error, CustomStringConvertible, Sendable {
    public let text: String
    public var description: String {
        "expected a target as a number (2000), a change (+20000, -500) or a percentage change (-10%), got \(String(reflecting: text))"
    }
}

/// Strict decimal parsing for user input: digits with an optional sign, point and exponent.
public enum DecimalText {
    /// nil unless the whole text is a finite decimal number such as `-12.5`, `2500` or `1e6`.
    public static func parse(_ text: String) -> Decimal? {
        var sawDigit = false
        var sawPoint = false
        var sawExponent = false
        var previous: Character?
        for character in text {
            switch character {
            case "0"..."9": sawDigit = true
            case "+", "-":
                guard previous == nil || previous == "e" || previous == "E" else { return nil }
            case ".":
                guard !sawPoint, !sawExponent else { return nil }
                sawPoint = true
            case "e", "E":
                guard sawDigit, !sawExponent else { return nil }
                sawExponent = true
            default: return nil
            }
            previous = character
        }
        guard sawDigit, let last = previous, last.isNumber || last == "." else { return nil }
        guard let value = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")), !value.isNaN else { return nil }
        return value
    }

    /// The canonical text of a decimal: no exponent, no trailing zeros, `.` as the point.
    public static func format(_ value: Decimal) -> String {
        NSDecimalNumber(decimal: value).description(withLocale: Locale(identifier: "en_US_POSIX"))
    }
}
