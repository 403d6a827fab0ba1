import Foundation
import HeadwayModel
import HeadwayPostgres
import HeadwayReport

/// Reads a metric's published figures with their provenance: each revision's value, qualifier,
/// period, publication date, source and note. What the assessments are computed from, and what
/// the API and the dashboard show behind them.
public struct FigureReader {
    let connection: PostgresConnection

    public init(connection: PostgresConnection) { self.connection = connection }

    /// One revision of a published figure, with its source: a row of `headway.observation_revisions`.
    public struct Figure: Sendable, Equatable {
        public let periodStart: CivilDate?
        public let periodEnd: CivilDate
        public let value: Decimal
        public let qualifier: Qualifier
        public let revision: Int
        public let publishedOn: CivilDate
        public let source: String?
        public let sourceTitle: String?
        public let sourceURL: String?
        public let note: String?
        /// Whether this revision is the one current at the as-of date (else a later one replaced it).
        public let current: Bool

        /// As a progress point's `derived_from` names it: "period_start..period_end#revision".
        public var reference: String { ObservedFigure.reference(start: periodStart, end: periodEnd, revision: revision) }

        /// The figure as the assessor takes it.
        public var observed: ObservedFigure {
            ObservedFigure(periodStart: periodStart, periodEnd: periodEnd, value: value, qualifier: qualifier, revision: revision, publishedOn: publishedOn)
        }
    }

    /// Which revisions of each figure to read.
    public enum Revisions: Sendable {
        /// The revisions current at the as-of date that an assessment from this baseline date
        /// can use (a metric may have decades of figures before it). `ProgressDeriver` uses, for
        /// amounts, chains of periods from the baseline or from the start of a running total
        /// that spans it, so nothing that starts before the earliest such start; for levels,
        /// those after the baseline and the last level at or before it.
        case currentUsableFrom(CivilDate)
        /// Every revision published by the as-of date, the current one marked.
        case all
    }

    /// The figures of `metric` published by `asOf` (all when nil), by period then revision; the
    /// revision current at `asOf` is the latest published then (of those, the highest), as the
    /// reports choose it. Current revisions come in the assessments' order (period start, end).
    public func figures(metric: String, asOf: CivilDate? = nil, revisions: Revisions = .all) throws -> [Figure] {
        let query: SQLQuery
        switch revisions {
        case .currentUsableFrom(let baseline):
            query = """
                SELECT DISTINCT ON (o.period_start, o.period_end)
                       o.period_start, o.period_end, o.value, o.qualifier, o.revision, o.published_on, o.source,
                       s.title AS source_title, s.url AS source_url, o.note, true AS current
                FROM headway.observations o LEFT JOIN headway.sources s ON s.key = o.source
                WHERE o.metric = \(metric) AND (\(asOf)::date IS NULL OR o.published_on <= \(asOf))
                  AND \(Self.usable(metric: "\(metric)", from: "\(baseline)", asOf: asOf))
                ORDER BY o.period_start, o.period_end, o.published_on DESC, o.revision DESC
                """
        case .all:
            query = """
                SELECT r.period_start, r.period_end, r.value, r.qualifier, r.revision, r.published_on, r.source, r.source_title, r.source_url, r.note,
                       row_number() OVER (PARTITION BY r.period_start, r.period_end ORDER BY r.published_on DESC, r.revision DESC) = 1 AS current
                FROM headway.observation_revisions r
                WHERE r.metric = \(metric) AND (\(asOf)::date IS NULL OR r.published_on <= \(asOf))
                ORDER BY r.period_end, r.period_start NULLS FIRST, r.revision
                """
        }
        // Prepared: one commitment's page or API answer runs this each time.
        return try connection.withTextRows(query.prepared()) { rows in
            try (0..<rows.count).map { row in
                Figure(
                    periodStart: try rows.decode(CivilDate?.self, row: row, column: 0), periodEnd: try rows.decode(row: row, column: 1),
                    value: try rows.decode(row: row, column: 2), qualifier: try rows.decode(Qualifier.self, row: row, column: 3),
                    revision: try rows.decode(row: row, column: 4), publishedOn: try rows.decode(row: row, column: 5),
                    source: try rows.decode(String?.self, row: row, column: 6), sourceTitle: try rows.decode(String?.self, row: row, column: 7),
                    sourceURL: try rows.decode(String?.self, row: row, column: 8), note: try rows.decode(String?.self, row: row, column: 9),
                    current: try rows.decode(row: row, column: 10))
            }
        }
    }

    /// For each of `metrics`, the figures current at `asOf` that an assessment from the paired
    /// baseline date can use (see `Revisions.currentUsableFrom`): metric, period start and end,
    /// value, qualifier, revision, publication date; by metric, then as `figures` orders them.
    /// What a report or a re-assessment reads, one statement for many metrics: a metric's
    /// earliest baseline among the commitments assessed serves all of them, since what a
    /// baseline can use only grows as the baseline moves back.
    public static func currentUsable(metrics: [String], from baselines: [CivilDate], asOf: CivilDate) -> SQLQuery {
        precondition(metrics.count == baselines.count, "one baseline per metric")
        return """
            SELECT w.metric, f.period_start, f.period_end, f.value, f.qualifier, f.revision, f.published_on
            FROM unnest(\(PostgresTextArray(metrics))::text[], \(PostgresTextArray(baselines.map(\.description)))::date[]) AS w(metric, baseline)
            CROSS JOIN LATERAL (
                SELECT DISTINCT ON (o.period_start, o.period_end) o.period_start, o.period_end, o.value, o.qualifier, o.revision, o.published_on
                FROM headway.observations o
                WHERE o.metric = w.metric AND o.published_on <= \(asOf)
                  AND \(usable(metric: "w.metric", from: "w.baseline", asOf: asOf))
                ORDER BY o.period_start, o.period_end, o.published_on DESC, o.revision DESC) f
            ORDER BY w.metric, f.period_start, f.period_end
            """
    }

    /// The condition on `o`, a figure of `metric` published by `asOf`, that keeps what an
    /// assessment from `baseline` can use. `metric` and `baseline` are SQL: parameters, or a
    /// row's columns. Written on the identity index's expression, coalesce(period_start,
    /// '-infinity'), so amounts (from a start on) and levels (start -infinity, from an end on)
    /// are each a range of the index rather than a filter over every figure the metric ever had.
    private static func usable(metric: SQLQuery, from baseline: SQLQuery, asOf: CivilDate?) -> SQLQuery {
        """
        (coalesce(o.period_start, '-infinity') >= least(
                \(baseline),
                (SELECT min(x.period_start) FROM headway.observations x
                 WHERE x.metric = \(metric) AND (\(asOf)::date IS NULL OR x.published_on <= \(asOf))
                   AND x.period_start < \(baseline) AND x.period_end >= \(baseline)))
               OR coalesce(o.period_start, '-infinity') = '-infinity' AND o.period_end >= coalesce(
                (SELECT max(x.period_end) FROM headway.observations x
                 WHERE x.metric = \(metric) AND coalesce(x.period_start, '-infinity') = '-infinity'
                   AND (\(asOf)::date IS NULL OR x.published_on <= \(asOf)) AND x.period_end <= \(baseline)),
                \(baseline)))
        """
    }
}
