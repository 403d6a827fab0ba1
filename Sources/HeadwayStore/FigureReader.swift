import HeadwayPostgres

/// Reads the published figures behind an assessment's progress points: each with its value,
/// qualifier, period, publication date, source, note and revision number.
public struct FigureReader {
    let connection: PostgresConnection

    public init(connection: PostgresConnection) { self.connection = connection }

    /// One figure as published: a row of `headway.observation_revisions`. Texts as PostgreSQL
    /// writes them: `value` is an exact decimal, dates are YYYY-MM-DD.
    public struct Figure: Sendable, Equatable {
        public let periodStart: String?
        public let periodEnd: String
        public let revision: Int
        public let value: String
        public let qualifier: String
        public let publishedOn: String
        public let source: String?
        public let sourceTitle: String?
        public let sourceURL: String?
        public let note: String?

        /// As a point's `derived_from` names it: "period_start..period_end#revision".
        public var reference: String { "\(periodStart ?? "")..\(periodEnd)#\(revision)" }
    }

    /// The figures of `metric` that `references` name (the `derived_from` form of `ProgressPoint`,
    /// a leading "-" for a subtracted figure allowed), by reference without the sign.
    public func figures(metric: String, references: some Sequence<String>) throws -> [String: Figure] {
        var starts: [String] = []
        var ends: [String] = []
        var revisions: [String] = []
        for reference in Set(references.map { $0.hasPrefix("-") ? String($0.dropFirst()) : $0 }) {
            // "start..end#revision"; a level figure has no start.
            guard let range = reference.range(of: ".."), let hash = reference.lastIndex(of: "#") else { continue }
            let start = reference[..<range.lowerBound]
            starts.append(start.isEmpty ? "-infinity" : String(start))
            ends.append(String(reference[range.upperBound..<hash]))
            revisions.append(String(reference[reference.index(after: hash)...]))
        }
        guard !starts.isEmpty else { return [:] }
        let rows = try connection.query(
            """
            SELECT o.period_start, o.period_end, o.revision, o.value, o.qualifier, o.published_on, o.source,
                   s.title AS source_title, s.url AS source_url, o.note
            FROM unnest(\(PostgresTextArray(starts))::date[], \(PostgresTextArray(ends))::date[], \(PostgresTextArray(revisions))::integer[])
                 AS r(period_start, period_end, revision)
            JOIN headway.observations o
              ON o.metric = \(metric) AND coalesce(o.period_start, '-infinity'::date) = r.period_start
                 AND o.period_end = r.period_end AND o.revision = r.revision
            LEFT JOIN headway.sources s ON s.key = o.source
            """)
        var figures: [String: Figure] = [:]
        for row in rows {
            let figure = Figure(
                periodStart: try row.decode(String?.self, column: "period_start"), periodEnd: try row.decode(column: "period_end"),
                revision: try row.decode(column: "revision"), value: try row.decode(column: "value"),
                qualifier: try row.decode(column: "qualifier"), publishedOn: try row.decode(column: "published_on"),
                source: try row.decode(String?.self, column: "source"), sourceTitle: try row.decode(String?.self, column: "source_title"),
                sourceURL: try row.decode(String?.self, column: "source_url"), note: try row.decode(String?.self, column: "note"))
            figures[figure.reference] = figure
        }
        return figures
    }
}
