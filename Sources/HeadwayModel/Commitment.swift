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

    /// What the target is counted over (docs/METHODS.md, section 12): by default progress
    /// accumulates from the baseline and may meet the target after the deadline.
    public enum Over: String, Hashable, Sendable, CaseIterable {
        /// Only figures inside baseline..deadline count: "400,000 homes in 2022".
        case period
        /// The total over a trailing window of this length: "300,000 homes a year".
        case year, quarter, month

        /// The window's length in months (nil for `period`).
        public var months: Int? {
            switch self {
            case .period: nil
            case .year: 12
            case .quarter: 3
            case .month: 1
            }
        }

        /// The first day of the window that ends on `last`: the same day of the month `months`
        /// earlier, after `last` (a year to 31 March 2024 starts on 1 April 2023).
        public func windowStart(endingOn last: CivilDate) -> CivilDate? {
            guard let months else { return nil }
            return last.adding(days: 1).adding(months: -months)
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
    /// nil: progress accumulates from the baseline.
    public var over: Over?
    public var deadline: DatePeriod
    public var milestones: [Milestone]
    /// The key of the commitment this one renews or raises.
    public var extends: String?
    public var tags: [String]

    /// The date from which an assessment reads figures as it reads them from a baseline: the
    /// baseline itself, or for a total over a window two windows before it, so that the window
    /// ending at the baseline (or the one before, where that cannot be tiled) is among them.
    public var readsFiguresFrom: CivilDate {
        guard let months = over?.months else { return baseline.date }
        return baseline.date.adding(months: -2 * months)
    }

    public init(
        key: String, title: String, metric: String, madeBy: String? = nil, madeOn: CivilDate? = nil,
        source: String? = nil, baseline: Baseline, target: Target, comparison: Comparison? = nil, over: Over? = nil,
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
        self.over = over
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

/// Decimal numbers of user input as Foundation `Decimal`s, and their canonical text.
public enum DecimalText {
    /// nil unless the whole text is a number `DecimalNumber` accepts and `Decimal` holds exactly,
    /// such as `-12.5`, `2500` or `1e6`.
    public static func parse(_ text: String) -> Decimal? {
        (try? DecimalNumber(parsing: text))?.decimal
    }

    /// The canonical text of a decimal: no exponent, no trailing zeros, `.` as the point.
    public static func format(_ value: Decimal) -> String {
        // Whole numbers of up to 15 digits (most figures) go through Int64, much faster than
        // Decimal's own formatting.
        let number = NSDecimalNumber(decimal: value)
        let whole = number.int64Value
        if whole.magnitude < 1_000_000_000_000_000, Decimal(whole) == value { return String(whole) }
        return number.description(withLocale: posixLocale)
    }
}

/// Made once: creating a Locale per value is costly on the bulk paths.
let posixLocale = Locale(identifier: "en_US_POSIX")
