import Foundation
import HeadwayModel

/// `headway backtest` output: per commitment how its status and probability evolved, and across
/// the portfolio the coverage of the 90% range, the Brier score and a reliability table.
public enum BacktestReport {
    public static func json(
        _ replays: [Backtest.Replay], today: CivilDate, every: Backtest.Every, method: ForecastMethod = .current
    ) -> String {
        let summary = Backtest.Summary(replays)
        let commitments: [JSONValue] = replays.map { replay in
            .object([
                ("key", .string(replay.key)), ("title", .string(replay.title)), ("outcome", .string(replay.outcome.rawValue)),
                ("deadline", .date(replay.deadline)), ("value_at_deadline", .double(replay.valueAtDeadline)),
                ("settled_on", .date(replay.settledOn)), ("right_since", .date(replay.rightSince)),
                ("lead_time_days", .int(replay.leadTimeDays)),
                ("steps", .array(replay.steps.map { step in
                    .object([
                        ("date", .date(step.date)), ("status", .string(step.status.rawValue)),
                        ("probability_met", .double(step.probabilityMet)), ("value_at_deadline", .double(step.valueAtDeadline)),
                        ("value_at_deadline_low", .double(step.valueAtDeadlineLow)),
                        ("value_at_deadline_high", .double(step.valueAtDeadlineHigh)),
                        ("right", step.right.map(JSONValue.bool) ?? .null), ("covered", step.covered.map(JSONValue.bool) ?? .null),
                    ])
                })),
            ])
        }
        let portfolio: JSONValue = .object([
            ("commitments", .int(summary.commitments)), ("forecasts", .int(summary.forecasts)),
            ("ranges_checked", .int(summary.rangesChecked)), ("ranges_covering", .int(summary.rangesCovering)),
            ("coverage", .double(summary.coverage)), ("stated_coverage", .double(Assessor.projectionLevel)),
            ("brier", .double(summary.brier)), ("brier_constant_half", .double(summary.forecasts > 0 ? 0.25 : nil)),
            ("median_lead_time_days", .int(summary.medianLeadTimeDays)),
            ("reliability", .array(summary.bins.map { bin in
                .object([
                    ("low", .double(bin.low)), ("high", .double(bin.high)), ("forecasts", .int(bin.count)),
                    ("mean_predicted", .double(bin.meanPredicted)), ("observed", .double(bin.observedRate)),
                ])
            })),
        ])
        return JSONValue.object([
            ("as_of", .date(today)), ("method_version", .string(method.rawValue)), ("every", .string(every.rawValue)),
            ("summary", portfolio), ("commitments", .array(commitments)),
        ]).text() + "\n"
    }

    /// One row per replayed step.
    public static func csv(_ replays: [Backtest.Replay]) -> String {
        let header = [
            "key", "outcome", "deadline", "value_at_deadline", "date", "status", "probability_met", "projected_value_at_deadline",
            "projected_low", "projected_high", "right", "covered",
        ]
        var rows = [header]
        for replay in replays {
            for step in replay.steps {
                rows.append([
                    replay.key, replay.outcome.rawValue, replay.deadline.description, number(replay.valueAtDeadline), step.date.description,
                    step.status.rawValue, number(step.probabilityMet), number(step.valueAtDeadline), number(step.valueAtDeadlineLow),
                    number(step.valueAtDeadlineHigh), step.right.map { $0 ? "true" : "false" } ?? "", step.covered.map { $0 ? "true" : "false" } ?? "",
                ])
            }
        }
        return rows.map { $0.map(CSVReport.quote).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    public static func text(
        _ replays: [Backtest.Replay], today: CivilDate, every: Backtest.Every, method: ForecastMethod = .current
    ) -> String {
        let summary = Backtest.Summary(replays)
        var lines = [
            "Backtest as of \(today) (methods version \(method.rawValue)), a step every \(every.rawValue): "
                + "\(counted(replays.count, "commitment")) with a known outcome", "",
        ]
        for replay in replays {
            let path = replay.steps.map { step in
                step.isForecast ? String(format: "%.0f", (step.probabilityMet ?? 0) * 100) : Self.settledMark(step.status)
            }.joined(separator: " ")
            let lead =
                replay.forecasts == 0 ? "settled before any forecast"
                : replay.leadTimeDays.map { $0 > 0 ? "right from \(counted($0, "day")) before it was settled" : "right only once settled" }
                ?? "never right"
            lines.append(Display.terminalSafe("\(replay.key): \(replay.outcome.rawValue) (deadline \(replay.deadline)); \(lead)"))
            lines.append("  chance of meeting it, % by step: \(path)")
        }
        lines.append("")
        lines.append("Portfolio: \(counted(summary.forecasts, "forecast")) from \(counted(summary.commitments, "commitment"))")
        if let coverage = summary.coverage {
            lines.append(
                String(format: "  90%% range held the value reached at the deadline: %d of %d (%.1f%%)", summary.rangesCovering, summary.rangesChecked, coverage * 100))
        } else {
            lines.append("  90% range: no forecast whose deadline value is known")
        }
        if let brier = summary.brier {
            lines.append(String(format: "  Brier score of the probability: %.3f (a constant 50%% scores 0.250; lower is better)", brier))
        }
        if let median = summary.medianLeadTimeDays { lines.append("  median lead time: \(counted(median, "day"))") }
        guard summary.forecasts > 0 else {
            lines.append("  reliability: no forecast to judge (each outcome was settled by the first figure after the commitment was made)")
            return lines.joined(separator: "\n") + "\n"
        }
        lines.append("  reliability (predicted → observed):")
        for bin in summary.bins where bin.count > 0 {
            lines.append(
                String(format: "    %3.0f–%3.0f%%: %5d forecasts, mean %5.1f%%, met %5.1f%%", bin.low * 100, bin.high * 100, bin.count,
                       (bin.meanPredicted ?? 0) * 100, (bin.observedRate ?? 0) * 100))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func settledMark(_ status: Assessment.Status) -> String {
        switch status {
        case .achieved: "✓"
        case .achievedLate, .missed: "✗"
        default: "·"
        }
    }

    private static func number(_ value: Double?) -> String { value.flatMap(NumberText.format) ?? "" }
}

/// "1 row", "2 rows": a count with its noun, singular or plural (nouns that take an s).
public func counted(_ count: Int, _ noun: String) -> String { "\(count) \(noun)\(count == 1 ? "" : "s")" }
