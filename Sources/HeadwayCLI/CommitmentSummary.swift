import Foundation
import HeadwayModel
import HeadwayPostgres
import HeadwayStore

/// A plain listing of each commitment with the figures published for it since its baseline.
enum CommitmentSummary {
    static func render(_ connection: PostgresConnection) throws -> String {
        let commitments = try connection.query(
            """
            SELECT c.key, c.title, c.metric, m.unit, m.kind, c.baseline_date, c.deadline,
                   coalesce(c.target_value::text, c.target_change::text, c.target_change_percent::text || '%'),
                   coalesce(c.comparison, 'at_least')
            FROM headway.commitments c JOIN headway.metrics m ON m.key = c.metric
            ORDER BY c.deadline, c.key
            """)
        var lines: [String] = []
        for row in commitments {
            let key = try row.decode(String.self, at: 0)
            let metric = try row.decode(String.self, at: 2)
            let unit = try row.decode(String.self, at: 3)
            let baseline = try row.decode(CivilDate.self, at: 5)
            let comparison = try row.decode(String.self, at: 8) == "at_least" ? "at least" : "at most"
            lines.append("\(key): \(try row.decode(String.self, at: 1))")
            lines.append(
                "  target: \(comparison) \(try row.decode(String.self, at: 7)) \(unit) from \(baseline) by \(try row.decode(CivilDate.self, at: 6))")
            let figures = try connection.query(
                """
                SELECT period_start, period_end, value, qualifier, published_on FROM headway.observation_current
                WHERE metric = \(metric) AND period_end >= \(baseline) AND (period_start IS NULL OR period_start >= \(baseline))
                ORDER BY period_end, period_start
                """)
            if figures.isEmpty { lines.append("  no figures published since the baseline") }
            for figure in figures {
                let start = try figure.decode(CivilDate?.self, at: 0)
                let period = start.map { "\($0) to " } ?? "at "
                let qualifier = try figure.decode(String.self, at: 3)
                let value = (["at_least": "over ", "at_most": "under ", "about": "about "][qualifier] ?? "") + (figure[2] ?? "")
                lines.append("  figure: \(value) \(unit), \(period)\(try figure.decode(CivilDate.self, at: 1)) (published \(try figure.decode(CivilDate.self, at: 4)))")
            }
        }
        return lines.joined(separator: "\n")
    }
}
