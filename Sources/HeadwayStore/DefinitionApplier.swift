import Foundation
import HeadwayIngest
import HeadwayModel
import HeadwayPostgres

/// Writes sources, metrics and commitments: new ones are created, changed ones updated with
/// their earlier version kept (by the database's history trigger), identical ones left alone.
public struct DefinitionApplier {
    /// What applying did, or would do, to one definition.
    public struct Change: Sendable, Equatable, CustomStringConvertible {
        public enum Action: String, Sendable { case created, updated, unchanged }
        public let action: Action
        public let kind: String
        public let key: String
        /// For updates: the fields that changed.
        public let fields: [String]

        public var description: String {
            let detail = fields.isEmpty ? "" : " (\(fields.joined(separator: ", ")))"
            return "\(action.rawValue) \(kind) \(key)\(detail)"
        }
    }

    let connection: PostgresConnection

    public init(connection: PostgresConnection) { self.connection = connection }

    /// Applies the definitions in one transaction; with `dryRun` it is rolled back and only the
    /// changes are reported.
    public func apply(_ definitions: Definitions, dryRun: Bool = false) throws -> [Change] {
        struct DryRun: Error {}
        var changes: [Change] = []
        do {
            try connection.retryingTransaction { connection in
                changes = []
                try checkReferences(definitions, connection)
                for source in definitions.sources { changes.append(try upsert(source.value, connection)) }
                for metric in definitions.metrics { changes.append(try upsert(metric.value, connection)) }
                for commitment in try Self.orderedByExtends(definitions.commitments) {
                    changes.append(try upsert(commitment.value, connection))
                }
                if dryRun { throw DryRun() }
            }
        } catch is DryRun {}
        return changes
    }

    // MARK: - Checks

    private func keys(_ table: String, _ connection: PostgresConnection) throws -> Set<String> {
        Set(try connection.query("SELECT key FROM headway.\(unsafeSQL: table)").map { try $0.decode(String.self, at: 0) })
    }

    private func checkReferences(_ definitions: Definitions, _ connection: PostgresConnection) throws {
        let stored = try ObservationCatalog.load(connection)
        let sources = Set(stored.sourcePublishedOn.keys).union(definitions.sources.map(\.value.key))
        var metricKinds = stored.metricKinds
        for metric in definitions.metrics {
            if let stored = metricKinds[metric.value.key], stored != metric.value.kind {
                let observed = try connection.query("SELECT 1 FROM headway.observations WHERE metric = \(metric.value.key) LIMIT 1")
                if !observed.isEmpty {
                    throw metric.error(
                        "metric \(String(reflecting: metric.value.key)) has observations as \(stored.rawValue), so its kind cannot become \(metric.value.kind.rawValue)",
                        field: "kind")
                }
            }
            metricKinds[metric.value.key] = metric.value.kind
            // Bounds that figures already stored break are refused, naming the first of them.
            if metric.value.minimum != nil || metric.value.maximum != nil {
                let outside = try connection.query(
                    """
                    SELECT coalesce(period_start::text || '..', '') || period_end::text, value::text FROM headway.observations
                    WHERE metric = \(metric.value.key) AND (value < \(metric.value.minimum) OR value > \(metric.value.maximum))
                    ORDER BY period_end, period_start LIMIT 1
                    """)
                if let row = outside.first {
                    throw metric.error(
                        "metric \(String(reflecting: metric.value.key)) has a figure outside these bounds (\(try row.decode(String.self, at: 1)) for \(try row.decode(String.self, at: 0)))",
                        field: metric.value.minimum != nil ? "min" : "max")
                }
            }
        }
        let commitments = try keys("commitments", connection).union(definitions.commitments.map(\.value.key))
        for located in definitions.commitments {
            let commitment = located.value
            guard let kind = metricKinds[commitment.metric] else {
                throw located.error("\(String(reflecting: commitment.metric)) is not a defined metric", field: "metric")
            }
            if let source = commitment.source, !sources.contains(source) {
                throw located.error("\(String(reflecting: source)) is not a defined source", field: "source")
            }
            if let extends = commitment.extends {
                guard commitments.contains(extends) else {
                    throw located.error("\(String(reflecting: extends)) is not a defined commitment", field: "extends")
                }
                guard extends != commitment.key else { throw located.error("a commitment cannot extend itself", field: "extends") }
            }
            if kind == .level, let over = commitment.over {
                throw located.error(
                    "over: \(over.rawValue) applies to additive metrics (amounts over periods); \(String(reflecting: commitment.metric)) is a level",
                    field: "target.over")
            }
            if kind == .additive {
                if commitment.baseline.value != nil, commitment.over?.months == nil {
                    throw located.error(
                        "a baseline value applies to level metrics and totals over a window (over: year, quarter or month); progress on additive metric \(String(reflecting: commitment.metric)) is counted from zero at the baseline date",
                        field: "baseline")
                }
                if case .percentChange = commitment.target, commitment.over?.months == nil {
                    throw located.error("a percentage change target needs a level metric (an amount since the baseline starts at zero)", field: "target")
                }
            }
        }
    }

    /// Commitments that extend another come after it, so references are always to stored rows.
    static func orderedByExtends(_ commitments: [Located<Commitment>]) throws -> [Located<Commitment>] {
        let byKey = Dictionary(commitments.map { ($0.value.key, $0) }, uniquingKeysWith: { first, _ in first })
        var ordered: [Located<Commitment>] = []
        var state: [String: Bool] = [:]  // false: visiting, true: done
        func visit(_ item: Located<Commitment>) throws {
            let key = item.value.key
            if state[key] == true { return }
            if state[key] == false { throw item.error("commitments extend each other in a cycle", field: "extends") }
            state[key] = false
            if let parent = item.value.extends.flatMap({ byKey[$0] }) { try visit(parent) }
            state[key] = true
            ordered.append(item)
        }
        for item in commitments { try visit(item) }
        return ordered
    }

    // MARK: - Writes

    private func upsert(_ source: Source, _ connection: PostgresConnection) throws -> Change {
        try record(
            "source", source.key, "sources",
            """
            INSERT INTO headway.sources AS t (key, title, publisher, url, published_on)
            VALUES (\(source.key), \(source.title), \(source.publisher), \(source.url), \(source.publishedOn))
            ON CONFLICT (key) DO UPDATE SET title = excluded.title, publisher = excluded.publisher, url = excluded.url,
                published_on = excluded.published_on
            RETURNING (xmax = 0) AS created, version
            """, connection)
    }

    private func upsert(_ metric: Metric, _ connection: PostgresConnection) throws -> Change {
        try record(
            "metric", metric.key, "metrics",
            """
            INSERT INTO headway.metrics AS t (key, name, unit, kind, min_value, max_value)
            VALUES (\(metric.key), \(metric.name), \(metric.unit), \(metric.kind.rawValue), \(metric.minimum), \(metric.maximum))
            ON CONFLICT (key) DO UPDATE SET name = excluded.name, unit = excluded.unit, kind = excluded.kind,
                min_value = excluded.min_value, max_value = excluded.max_value
            RETURNING (xmax = 0) AS created, version
            """, connection)
    }

    private func upsert(_ commitment: Commitment, _ connection: PostgresConnection) throws -> Change {
        var targetValue: Decimal?
        var targetChange: Decimal?
        var targetPercent: Decimal?
        switch commitment.target {
        case .value(let value): targetValue = value
        case .change(let value): targetChange = value
        case .percentChange(let value): targetPercent = value
        }
        let milestones =
            "[" + commitment.milestones.map { "{\"date\": \"\($0.date)\", \"value\": \(DecimalText.format($0.value))}" }.joined(separator: ", ")
            + "]"
        return try record(
            "commitment", commitment.key, "commitments",
            """
            INSERT INTO headway.commitments AS t (key, title, metric, made_by, made_on, source, baseline_date, baseline_value,
                target_value, target_change, target_change_percent, comparison, target_over, deadline, deadline_precision, milestones, extends, tags)
            VALUES (\(commitment.key), \(commitment.title), \(commitment.metric), \(commitment.madeBy), \(commitment.madeOn),
                \(commitment.source), \(commitment.baseline.date), \(commitment.baseline.value), \(targetValue), \(targetChange),
                \(targetPercent), \(commitment.comparison?.rawValue), \(commitment.over?.rawValue), \(commitment.deadline.last),
                \(commitment.deadline.precision.rawValue), \(milestones)::jsonb, \(commitment.extends),
                \(PostgresTextArray(commitment.tags))::text[])
            ON CONFLICT (key) DO UPDATE SET title = excluded.title, metric = excluded.metric, made_by = excluded.made_by,
                made_on = excluded.made_on, source = excluded.source, baseline_date = excluded.baseline_date,
                baseline_value = excluded.baseline_value, target_value = excluded.target_value,
                target_change = excluded.target_change, target_change_percent = excluded.target_change_percent,
                comparison = excluded.comparison, target_over = excluded.target_over, deadline = excluded.deadline, deadline_precision = excluded.deadline_precision,
                milestones = excluded.milestones, extends = excluded.extends, tags = excluded.tags
            RETURNING (xmax = 0) AS created, version
            """, connection)
    }

    /// Runs an upsert and says what it did. The history trigger skips updates that change nothing,
    /// so no row comes back for those.
    private func record(_ kind: String, _ key: String, _ table: String, _ upsert: SQLQuery, _ connection: PostgresConnection) throws -> Change {
        guard let row = try connection.query(upsert).first else {
            return Change(action: .unchanged, kind: kind, key: key, fields: [])
        }
        if try row.decode(Bool.self, at: 0) { return Change(action: .created, kind: kind, key: key, fields: []) }
        let changed = try connection.query(
            """
            SELECT coalesce(array_to_string(array_agg(n.key ORDER BY n.key), ','), '')
            FROM headway.\(unsafeSQL: table) t,
                 LATERAL (SELECT definition FROM headway.definition_history h
                          WHERE h.table_name = \(table) AND h.key = t.key ORDER BY version DESC LIMIT 1) old,
                 LATERAL jsonb_each(to_jsonb(t)) n
            WHERE t.key = \(key) AND n.key NOT IN ('version', 'recorded_at') AND n.value IS DISTINCT FROM old.definition -> n.key
            """)[0].decode(String.self, at: 0)
        return Change(action: .updated, kind: kind, key: key, fields: changed.split(separator: ",").map(String.init))
    }
}
