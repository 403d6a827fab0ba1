import Foundation
import HeadwayModel

/// Human-readable figures shared by the text, Markdown and HTML reports and the web dashboard. Each column of those
/// reports has one meaning (README, "Reading a report") and shows "–" where it has none.
public enum Display {
    /// The sentence a text format gives when a report as of a date leaves out commitments made after it.
    public static func leftOut(_ count: Int, asOf: CivilDate) -> String? {
        guard count > 0 else { return nil }
        return count == 1
            ? "1 commitment made after \(asOf) is left out: it did not exist yet."
            : "\(count) commitments made after \(asOf) are left out: they did not exist yet."
    }

    static let daysPerMonth = 365.25 / 12
    public static let blank = "–"

    public static func amount(_ value: Decimal?, unit: String) -> String {
        guard let value else { return blank }
        return grouped(DecimalText.format(value)) + " " + unit
    }

    /// A change, always with its sign: "+7,520", "-1.8", "0".
    public static func signed(_ value: Decimal) -> String {
        (value > 0 ? "+" : "") + grouped(DecimalText.format(value))
    }

    /// The latest published figure in the metric's own terms (an amount since the baseline, or a
    /// level) with its qualifier; for a level, the change since the baseline in brackets.
    public static func latest(_ a: Assessment) -> String {
        guard let point = a.latest else { return "no data" }
        if let over = a.over, over.months != nil {
            return "\(figure(point, unit: a.unit)) \(window(over, endingOn: point.date))"
        }
        return latest(value: point.value, progress: point.progress, qualifier: point.qualifier, unit: a.unit, kind: a.kind)
    }

    /// What a total over a trailing window covers: "in the year to March 2024", "in the quarter to
    /// 30 June 2024", "in March 2024".
    public static func window(_ over: Commitment.Over, endingOn end: CivilDate) -> String {
        let monthEnd = end.adding(days: 1).day == 1
        let to = monthEnd ? "\(monthNames[end.month - 1]) \(end.year)" : "\(end)"
        switch over {
        case .month where monthEnd && end.day >= 28: return "in \(to)"
        case .month: return "in the month to \(to)"
        case .quarter: return "in the quarter to \(to)"
        default: return "in the year to \(to)"
        }
    }

    /// What a target is counted over, after its amount: "a year", "a quarter", "a month", or the
    /// period of a pledge for one period ("in 2022", "in FY2023-24", "from 2022-04-01 to 2025-03-31").
    public static func over(_ over: Commitment.Over?, baseline: CivilDate, deadline: CivilDate) -> String? {
        switch over {
        case nil: return nil
        case .year: return "a year"
        case .quarter: return "a quarter"
        case .month: return "a month"
        case .period:
            let days = baseline.days(until: deadline) + 1
            if baseline.month == 1, baseline.day == 1, deadline.month == 12, deadline.day == 31, deadline.year == baseline.year {
                return "in \(baseline.year)"
            }
            if baseline.month == 4, baseline.day == 1, deadline.month == 3, deadline.day == 31, deadline.year > baseline.year {
                let first = String(format: "FY%d-%02d", baseline.year, (baseline.year + 1) % 100)
                let last = String(format: "FY%d-%02d", deadline.year - 1, deadline.year % 100)
                return first == last ? "in \(first)" : "in \(first) to \(last)"
            }
            if baseline.day == 1, deadline.adding(days: 1).day == 1, baseline.year == deadline.year, baseline.month == deadline.month, days >= 28 {
                return "in \(monthNames[baseline.month - 1]) \(baseline.year)"
            }
            return "from \(baseline) to \(deadline)"
        }
    }

    static let monthNames = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December",
    ]

    /// The latest figure from its parts, as a stored assessment (`headway.commitment_status`) has them.
    public static func latest(value: Decimal, progress: Decimal?, qualifier: Qualifier, unit: String, kind: Metric.Kind) -> String {
        let figure = figure(value, qualifier: qualifier, unit: unit)
        guard kind == .level, let progress else { return figure }
        return "\(figure) (\(signed(progress)))"
    }

    /// A figure with its qualifier in words: "over 2,500 lines", "about 1,990 lines".
    public static func figure(_ value: Decimal, qualifier: Qualifier, unit: String) -> String {
        let prefix = switch qualifier {
        case .exact: ""
        case .atLeast: "over "
        case .atMost: "under "
        case .about: "about "
        }
        return prefix + amount(value, unit: unit)
    }

    private static func figure(_ point: ProgressPoint, unit: String) -> String {
        figure(point.value, qualifier: point.qualifier, unit: unit)
    }

    /// The target as stated: an amount since the baseline, or a level (with, for a level whose
    /// baseline is known, the change it asks for in brackets).
    public static func target(_ a: Assessment) -> String {
        target(
            value: a.targetValue, change: a.kind == .level && a.baselineValue != nil ? a.targetProgress : nil, comparison: a.comparison, unit: a.unit,
            over: over(a.over, baseline: a.baselineDate, deadline: a.deadline))
    }

    /// The target from its parts; `change`, the change a level target asks for, in brackets;
    /// `over`, what it is counted over ("a year", "in 2022").
    public static func target(value: Decimal, change: Decimal?, comparison: Commitment.Comparison, unit: String, over: String? = nil) -> String {
        let stated = (comparison == .atLeast ? "≥ " : "≤ ") + amount(value, unit: unit) + (over.map { " " + $0 } ?? "")
        return change.map { "\(stated) (\(signed($0)))" } ?? stated
    }

    private static func stated(_ a: Assessment) -> String {
        target(value: a.targetValue, change: nil, comparison: a.comparison, unit: a.unit, over: over(a.over, baseline: a.baselineDate, deadline: a.deadline))
    }

    /// The latest figure in a sentence, for the per-commitment details.
    public static func latestInWords(_ a: Assessment) -> String {
        guard let point = a.latest else { return "no data" }
        if let over = a.over, over.months != nil, let baseline = a.baselineValue {
            return "\(figure(point, unit: a.unit)) \(window(over, endingOn: point.date)): \(signed(point.progress)) \(a.unit) on the "
                + "\(over.rawValue) to the baseline, \(amount(baseline, unit: a.unit))"
        }
        guard a.kind == .level, let baseline = a.baselineValue else { return "\(figure(point, unit: a.unit)) at \(point.date)" }
        return "\(figure(point, unit: a.unit)) at \(point.date): \(signed(point.progress)) \(a.unit) since the baseline level of "
            + amount(baseline, unit: a.unit)
    }

    /// The target in a sentence, for the per-commitment details.
    public static func targetInWords(_ a: Assessment) -> String {
        let byDeadline = "\(stated(a)) by \(a.deadline)"
        guard a.kind == .level, a.baselineValue != nil else { return byDeadline }
        return "\(byDeadline): a change of \(signed(a.targetProgress)) \(a.unit)"
    }

    public static func percent(_ value: Double?) -> String {
        guard let value, value.isFinite else { return blank }
        return whole(value) + "%"
    }

    /// `String(format: "%.0f", value)` without printf, which is slow enough to show on a page
    /// of 1000 rows: rounding a double to a whole number is exact, and ties go to even as
    /// printf's do (a negative value that rounds to zero keeps its sign, "-0", as printf's does).
    public static func whole(_ value: Double) -> String {
        guard abs(value) < 1e15 else { return String(format: "%.0f", value) }
        let rounded = value.rounded(.toNearestOrEven)
        return rounded == 0 && value.sign == .minus ? "-0" : String(Int64(rounded))
    }

    /// The share of the time from the baseline to the deadline that has passed: blank before
    /// the baseline, at most 100% after the deadline.
    public static func timeElapsed(_ a: Assessment) -> String {
        a.asOf < a.baselineDate ? blank : percent(min(100, a.percentTimeElapsed))
    }

    public static func perMonth(_ perDay: Double?) -> String {
        guard let perDay, perDay.isFinite else { return blank }
        let value = perDay * daysPerMonth
        return grouped(abs(value) >= 100 ? String(format: "%.0f", value) : String(format: "%.1f", value)) + "/mo"
    }

    /// The pace needed from the as-of date to meet the target by the deadline: only before the
    /// deadline and while the target is not met. Where the figures have passed the target without
    /// proving it met ("about 2,010" of 2,000), nothing more is needed: 0.
    public static func needed(_ a: Assessment) -> String {
        guard a.asOf < a.deadline, a.achievedOn == nil, let perDay = a.pace.requiredFromNowPerDay else { return blank }
        return perMonth(perDay * a.targetProgress.double < 0 ? 0 : perDay)
    }

    /// When the target was met, or, while it is not, when the recent pace reaches it (with the
    /// range): the same in every format.
    public static func completion(_ a: Assessment) -> String {
        if let achievedOn = a.achievedOn { return achievedOn.description }
        guard let central = a.projection.completionDate else { return blank }
        if let low = a.projection.completionDateLow, let high = a.projection.completionDateHigh, low != high {
            return "\(central) (\(low)…\(high))"
        }
        return central.description
    }

    /// How far ahead of or behind the plan the latest figure is, in days.
    public static func scheduleVariance(_ a: Assessment) -> String {
        guard let days = a.scheduleVarianceDays else { return blank }
        if days == 0 { return "on plan" }
        return "\(abs(days)) day\(abs(days) == 1 ? "" : "s") \(days > 0 ? "ahead" : "behind")"
    }

    /// The probability of meeting the target as a percentage: "<1%" and ">99%" near the ends,
    /// 0% and 100% only where the outcome is known.
    public static func probability(_ value: Double?) -> String {
        guard let value, value.isFinite else { return blank }
        if value == 0 || value == 1 { return whole(value * 100) + "%" }
        if value < 0.005 { return "<1%" }
        if value > 0.995 { return ">99%" }
        return whole(value * 100) + "%"
    }

    /// A probability in words a reader can weigh: "about a 1 in 3 chance of meeting the target".
    /// Between 5% and 95% the nearest of a few plain odds (nearest on the log-odds scale, so
    /// 2% and 5% are as far apart as 50% and 70%); beyond, a bound.
    public static func chance(_ probability: Double) -> String {
        let suffix = " of meeting the target"
        if probability >= 0.99 { return "almost certain to meet the target" }
        if probability > 0.95 { return "better than a 19 in 20 chance" + suffix }
        if probability < 0.05 { return "less than a 1 in 20 chance" + suffix }
        let odds: [(Double, Double)] = [(1, 20), (1, 10), (1, 5), (1, 4), (1, 3), (1, 2), (2, 3), (3, 4), (4, 5), (9, 10), (19, 20)]
        func logOdds(_ p: Double) -> Double { log(p / (1 - p)) }
        let nearest = odds.min { abs(logOdds($0.0 / $0.1) - logOdds(probability)) < abs(logOdds($1.0 / $1.1) - logOdds(probability)) }!
        if nearest == (1, 2) { return "about an even chance" + suffix }
        return "about a \(Int(nearest.0)) in \(Int(nearest.1)) chance" + suffix
    }

    /// The probability in words where the outcome is still a forecast (not once it is achieved
    /// or missed); nil where there is none.
    public static func chanceInWords(_ a: Assessment) -> String? {
        chanceInWords(a.status, probability: a.probabilityMet)
    }

    /// The same from a stored status and probability (`headway.commitment_status`, the events).
    public static func chanceInWords(_ status: Assessment.Status, probability: Double?) -> String? {
        guard let probability, probability.isFinite else { return nil }
        switch status {
        case .onTrack, .atRisk, .offTrack, .awaitingData: return chance(probability)
        case .achieved, .achievedLate, .missed, .notStarted, .insufficientData: return nil
        }
    }

    /// A status's mark, so that it never rests on colour alone: ● on track, ▲ at risk, ▼ off track …
    public static func mark(_ status: Assessment.Status) -> String {
        switch status {
        case .achieved, .achievedLate: "✓"
        case .missed: "✗"
        case .awaitingData: "◔"
        case .onTrack: "●"
        case .atRisk: "▲"
        case .offTrack: "▼"
        case .notStarted: "○"
        case .insufficientData: "?"
        }
    }

    /// A status in words: "at risk", "achieved late".
    public static func words(_ status: Assessment.Status) -> String {
        status.rawValue.replacingOccurrences(of: "_", with: " ")
    }

    /// What each status says, for legends and details.
    public static func meaning(_ status: Assessment.Status) -> String {
        switch status {
        case .achieved: "the target was met by the deadline"
        case .achievedLate: "the target was met, after the deadline"
        case .missed: "a figure to the deadline shows the target unmet"
        case .awaitingData: "deadline passed, no figure to the deadline yet"
        case .onTrack: "at least an even chance of meeting the target"
        case .atRisk: "between a 1 in 20 and an even chance of meeting the target"
        case .offTrack: "less than a 1 in 20 chance of meeting the target"
        case .notStarted: "the baseline date is still to come"
        case .insufficientData: "no figure since the baseline to judge by"
        }
    }

    /// What the status says of this commitment: its meaning, and when the target was met.
    public static func statusInWords(_ a: Assessment) -> String {
        guard let achievedOn = a.achievedOn, let days = a.daysEarly else { return meaning(a.status) }
        let when = days == 0 ? "the deadline day" : "\(abs(days)) day\(abs(days) == 1 ? "" : "s") \(days > 0 ? "early" : "late")"
        return meaning(a.status) + " (on \(achievedOn), \(when))"
    }

    /// The status in words and the chance in words, each said once: for on_track, at_risk and
    /// off_track the status is a band of the chance, so the chance alone says it ("about a 2 in
    /// 3 chance of meeting the target", not "at least an even chance …; about a 2 in 3 chance …").
    public static func statusAndChance(_ a: Assessment) -> String {
        let chance = chanceInWords(a)
        switch (a.status, chance) {
        case (.onTrack, let chance?), (.atRisk, let chance?), (.offTrack, let chance?): return chance
        default: return [statusInWords(a), chance].compactMap { $0 }.joined(separator: "; ")
        }
    }

    /// The status and chance in words, and the reason: a line per commitment.
    public static func notes(_ a: Assessment) -> [String] {
        ["\(a.status.rawValue): \(statusAndChance(a))"] + [a.reason].compactMap { $0 }
    }

    /// What a text report says in place of its table when there is nothing to report.
    public static func nothingToReport(_ count: Int, leftOut: Int) -> String? {
        guard count == 0, leftOut == 0 else { return nil }
        return "No commitments to report: the database holds none yet. Define them with `headway apply FILE` "
            + "(docs/FORMATS.md), or load the seed document's with `headway demo`."
    }

    /// Thousands separators for a plain decimal string: "-12345.678" is "-12,345.678". (On
    /// bytes: a page of 1000 rows groups a few thousand numbers.)
    public static func grouped(_ text: String) -> String {
        let bytes = Array(text.utf8)
        let start = bytes.first == UInt8(ascii: "-") ? 1 : 0
        let end = bytes[start...].firstIndex(of: UInt8(ascii: ".")) ?? bytes.count
        let digits = end - start
        guard digits > 3 else { return text }
        var result = Array(bytes[..<start])
        result.reserveCapacity(bytes.count + digits / 3)
        for index in start..<end {
            if index > start && (end - index) % 3 == 0 { result.append(UInt8(ascii: ",")) }
            result.append(bytes[index])
        }
        result += bytes[end...]
        return String(decoding: result, as: UTF8.self)
    }

    /// A sparkline of the published figures.
    public static func sparkline(_ a: Assessment) -> String {
        let values = a.series.compactMap { $0.progress?.double }
        guard values.count >= 2, let low = values.min(), let high = values.max() else { return "" }
        let bars = Array("▁▂▃▄▅▆▇█")
        return String(values.map { high == low ? bars[3] : bars[Int(($0 - low) / (high - low) * 7)] })
    }

    /// Text safe for a terminal: control characters (which could move the cursor, change colours
    /// or retitle the window) are shown as U+FFFD.
    public static func terminalSafe(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { scalar in
            // Control characters (ESC starts terminal escape sequences) and the bidirectional
            // embeddings, overrides and isolates that can make text display out of order; and the
            // noncharacters U+FFFE and U+FFFF, which XML (a feed, an SVG) does not allow.
            (scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || (0x202A...0x202E).contains(scalar.value)
                || (0x2066...0x2069).contains(scalar.value) || scalar.value == 0xFFFE || scalar.value == 0xFFFF) ? "\u{FFFD}" : scalar
        }))
    }
}
