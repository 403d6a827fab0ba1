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
