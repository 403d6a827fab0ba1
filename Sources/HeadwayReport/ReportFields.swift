import Foundation
import HeadwayCSV
import HeadwayModel

/// The flat fields shared by the tabular formats (CSV, and the SQL view later), in order.
enum ReportFields {
    static let names = [
        "key", "title", "metric", "unit", "status", "as_of", "baseline_date", "baseline_value", "target_value", "comparison",
        "deadline", "latest_date", "latest_value", "latest_qualifier", "progress", "percent_complete", "percent_time_elapsed",
        "achieved_on", "days_early", "average_per_day", "recent_per_day", "required_per_day", "required_from_now_per_day",
        "projection_method", "value_at_deadline", "value_at_deadline_low", "value_at_deadline_high", "completion_date",
        "completion_date_low", "completion_date_high", "probability_met", "schedule_variance_days", "target_over",
    ]

    /// The fields of one assessment: numbers as numbers, and an absent value as null.
    static func values(_ a: Assessment) -> [CSVField] {
        func d(_ value: Decimal?) -> CSVField { value.map { .number(DecimalText.format($0)) } ?? .null }
        func n(_ value: Double?) -> CSVField { value.flatMap(NumberText.format).map(CSVField.number) ?? .null }
        func i(_ value: Int?) -> CSVField { value.map { .number(String($0)) } ?? .null }
        func date(_ value: CivilDate?) -> CSVField { .optionalText(value?.description) }
        func text(_ value: String?) -> CSVField { .optionalText(value) }
        return [
            text(a.key), text(a.title), text(a.metric), text(a.unit), text(a.status.rawValue), date(a.asOf), date(a.baselineDate),
            d(a.baselineValue), d(a.targetValue), text(a.comparison.rawValue), date(a.deadline), date(a.latest?.date), d(a.latest?.value),
            text(a.latest?.qualifier.rawValue), d(a.progress), n(a.percentComplete), n(a.percentTimeElapsed), date(a.achievedOn),
            i(a.daysEarly), n(a.pace.averagePerDay), n(a.pace.recentPerDay), n(a.pace.requiredPerDay), n(a.pace.requiredFromNowPerDay),
            text(Assessment.Projection.method), n(a.projection.valueAtDeadline), n(a.projection.valueAtDeadlineLow),
            n(a.projection.valueAtDeadlineHigh), date(a.projection.completionDate), date(a.projection.completionDateLow),
            date(a.projection.completionDateHigh), n(a.probabilityMet), i(a.scheduleVarianceDays),
        ]
    }
}

/// CSV: one row per commitment with the assessment's flat fields, under Headway's one CSV
/// policy (`CSVField`: RFC 4180, formulas defused, numbers as they are).
public enum CSVReport {
    public static func render(_ assessments: [Assessment]) -> String {
        CSVRecord.table(header: ReportFields.names, rows: assessments.map(ReportFields.values))
    }
}

extension CSVReport {
    /// A field held as a string whose type is not known (the backtest's rows), under the same
    /// policy: a plain number as it is, other text defused (`CSVField.inferred`); empty is null.
    static func quote(_ field: String) -> String { CSVField.inferred(field).written }
}
