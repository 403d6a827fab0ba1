import HeadwayModel
import HeadwayPostgres

/// Reads metrics and their published figures for the HTTP API. Read-only; rows come back
/// rendered by PostgreSQL (`RowFormat`), so every column keeps its type.
public struct MetricReader {
    let connection: PostgresConnection

    public init(connection: PostgresConnection) { self.connection = connection }

    /// Every metric, ordered by key: its definition, how many figures it has (current ones, and
    /// rows counting every revision), the end of its latest period, when a figure of it was last
    /// published, and the keys of the commitments on it.
    public func metrics(format: RowFormat = .json) throws -> FormattedRows {
        try FormattedRows.read(
            """
            SELECT m.key, m.name, m.unit, m.kind,
                   coalesce(f.figures, 0) AS figures, coalesce(f.revisions, 0) AS revisions,
                   f.latest_period_end, f.latest_published_on,
                   coalesce((SELECT array_agg(c.key ORDER BY c.key COLLATE "C") FROM headway.commitments c WHERE c.metric = m.key),
                            '{}') AS commitments
            FROM headway.metrics m
            LEFT JOIN (SELECT o.metric, count(DISTINCT (coalesce(o.period_start, '-infinity'::date), o.period_end)) AS figures,
                              count(*) AS revisions, max(o.period_end) AS latest_period_end, max(o.published_on) AS latest_published_on
                       FROM headway.observations o GROUP BY o.metric) f ON f.metric = m.key
            ORDER BY m.key COLLATE "C"
            """, format: format, on: connection)
    }

    /// Which figures of a metric to read. Nil means no bound.
    public struct ObservationFilter: Sendable, Equatable {
        /// Figures whose period ends on or after this day.
        public var from: CivilDate?
        /// Figures whose period ends on or before this day.
        public var to: CivilDate?
        /// As known then: only what was published by this day, each figure in the revision current then.
        public var asOf: CivilDate?
        /// Every revision (published by `asOf`, if given) rather than the current one of each figure.
        public var allRevisions = false

        public init() {}
    }

    /// The figures of metric `key` ordered by period (and revision), with their sources: the
    /// current revision of each, as `headway.observation_current` has them, or every revision,
    /// as `headway.observation_revisions`. Nil when no metric has that key.
    public func observations(metric key: String, _ filter: ObservationFilter, format: RowFormat = .json) throws -> FormattedRows? {
        guard try connection.query("SELECT 1 FROM headway.metrics WHERE key = \(key)").count == 1 else { return nil }
        // The current revision is the one published last (then the highest), as the views and
        // the assessment take it.
        let query: SQLQuery = """
            SELECT \(unsafeSQL: filter.allRevisions ? "" : "DISTINCT ON (o.period_start, o.period_end)")
                   o.metric, o.period_start, o.period_end, o.value, o.qualifier, o.published_on, o.revision,
                   o.source, s.title AS source_title, s.publisher AS source_publisher, s.url AS source_url,
                   o.note, o.recorded_at
            FROM headway.observations o
            LEFT JOIN headway.sources s ON s.key = o.source
            WHERE o.metric = \(key)
              AND (\(filter.asOf)::date IS NULL OR o.published_on <= \(filter.asOf))
              AND (\(filter.from)::date IS NULL OR o.period_end >= \(filter.from))
              AND (\(filter.to)::date IS NULL OR o.period_end <= \(filter.to))
            ORDER BY o.period_start, o.period_end, \(unsafeSQL: filter.allRevisions ? "o.revision" : "o.published_on DESC, o.revision DESC")
            """
        return try FormattedRows.read(query, format: format, on: connection)
    }
}
