import Foundation
import HeadwayModel

/// The flat fields shared by the tabular formats (CSV, and the SQL view later), in order.
enum ReportFields {
    static let names = [
        "key", "title", "metric", "unit", "status", "as_of", "baseline_date", "baseline_value", "target_value", "comparison",
        "deadline", "latest_date", "latest_value", "latest_qualifier", "progress", "percent_complete", "percent_time_elapsed",
        "achieved_on", "days_early", "average_per_day", "recent_per_day", "required_per_day", "required_from_now_per_day",
        "projection_method", "value_at_deadline", "value_at_deadline_low", "value_at_deadline_high", "completion_date",
        "completion_date_low", "completion_date_high", "probability_met", "schedule_variance_days",
    ]

    static func values(_ a: Assessment) -> [String] {
        func d(_ value: Decimal?) -> String { value.map(DecimalText.format) ?? "" }
        func n(_ value: Double?) -> String { value.flatMap(NumberText.format) ?? "" }
        func date(_ value: CivilDate?) -> String { value?.description ?? "" }
        return [
            a.key, a.title, a.metric, a.unit, a.status.rawValue, date(a.asOf), date(a.baselineDate), d(a.baselineValue), d(a.targetValue),
            a.comparison.rawValue, date(a.deadline), date(a.latest?.date), d(a.latest?.value), a.latest?.qualifier.rawValue ?? "",
            d(a.progress), n(a.percentComplete), n(a.percentTimeElapsed), date(a.achievedOn), a.daysEarly.map(String.init) ?? "",
            n(a.pace.averagePerDay), n(a.pace.recentPerDay), n(a.pace.requiredPerDay), n(a.pace.requiredFromNowPerDay),
            Assessment.Projection.method, n(a.projection.valueAtDeadline), n(a.projection.valueAtDeadlineLow),
            n(a.projection.valueAtDeadlineHigh), date(a.projection.completionDate), date(a.projection.completionDateLow),
            date(a.projection.completionDateHigh), n(a.probabilityMet), a.scheduleVarianceDays.map(String.init) ?? "",
        ]
    }
}

/// CSV: one row per commitment with the assessment's flat fields (RFC 4180 quoting).
public enum CSVReport {
    public static func render(_ assessments: [Assessment]) -> String {
        ([ReportFields.names] + assessments.map(ReportFields.values)).map { row in
            row.map(quote).joined(separator: ",")
        }.joined(separator: "\r\n") + "\r\n"
    }

    static func quote(_ field: String) -> String {
        // A leading =, +, - or @ (or a tab or carriage return before one) would run as a formula
        // in a spreadsheet: prefix it with a quote mark.
        var field = field
        if let first = field.first, "=+@\t\r".contains(first) || (first == "-" && Double(field) == nil) { field = "'" + field }
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// Human-readable figures shared by the text, Markdown and HTML reports.
enum Display {
    static let daysPerMonth = 365.25 / 12

    static func amount(_ value: Decimal?, unit: String) -> String {
        guard let value else { return "–" }
        return grouped(DecimalText.format(value)) + " " + unit
    }

    static func qualified(_ point: ProgressPoint?, unit: String) -> String {
        guard let point else { return "no data" }
        let prefix = ["at_least": "over ", "at_most": "under ", "about": "about "][point.qualifier.rawValue] ?? ""
        return prefix + amount(point.progress, unit: unit)
    }

    static func target(_ a: Assessment) -> String {
        (a.comparison == .atLeast ? "≥ " : "≤ ") + amount(a.targetProgress, unit: a.unit)
    }

    static func percent(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "–" }
        return String(format: "%.0f%%", value)
    }

    static func perMonth(_ perDay: Double?) -> String {
        guard let perDay, perDay.isFinite else { return "–" }
        let value = perDay * daysPerMonth
        return grouped(abs(value) >= 100 ? String(format: "%.0f", value) : String(format: "%.1f", value)) + "/mo"
    }

    static func date(_ value: CivilDate?) -> String { value?.description ?? "–" }

    static func completion(_ a: Assessment) -> String {
        guard let central = a.projection.completionDate else { return "–" }
        if let low = a.projection.completionDateLow, let high = a.projection.completionDateHigh, low != high {
            return "\(central) (\(low)…\(high))"
        }
        return central.description
    }

    /// Thousands separators for a plain decimal string.
    static func grouped(_ text: String) -> String {
        var integer = Substring(text)
        var sign = ""
        if integer.hasPrefix("-") {
            sign = "-"
            integer = integer.dropFirst()
        }
        let fraction = integer.firstIndex(of: ".").map { String(integer[$0...]) } ?? ""
        integer = integer.prefix { $0 != "." }
        var result = ""
        for (index, digit) in integer.enumerated() {
            if index > 0 && (integer.count - index) % 3 == 0 { result += "," }
            result.append(digit)
        }
        return sign + result + fraction
    }

    /// A sparkline of the progress points.
    static func sparkline(_ a: Assessment) -> String {
        let values = a.series.compactMap { $0.progress?.double }
        guard values.count >= 2, let low = values.min(), let high = values.max() else { return "" }
        let bars = Array("▁▂▃▄▅▆▇█")
        return String(values.map { high == low ? bars[3] : bars[Int(($0 - low) / (high - low) * 7)] })
    }

    /// Text safe for a terminal: control characters (which could move the cursor, change colours
    /// or retitle the window) are shown as U+FFFD.
    static func terminalSafe(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { scalar in
            // Control characters (ESC starts terminal escape sequences) and the bidirectional
            // embeddings, overrides and isolates that can make text display out of order.
            (scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || (0x202A...0x202E).contains(scalar.value)
                || (0x2066...0x2069).contains(scalar.value)) ? "\u{FFFD}" : scalar
        }))
    }
}
