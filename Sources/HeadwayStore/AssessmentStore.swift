import Foundation
import HeadwayModel
import HeadwayPostgres
import HeadwayReport

/// Reads what an assessment needs as of a date, and keeps every assessment made.
public struct AssessmentStore {
    let connection: PostgresConnection

    public init(connection: PostgresConnection) { self.connection = connection }

    /// Assesses the commitments named by `keys` (all when empty) with what was published by `asOf`,
    /// each figure in the revision current then. Ordered by key. Commitments made after `asOf`
    /// did not exist then and are left out (see `countMadeAfter`).
    public func assess(keys: [String] = [], asOf: CivilDate) throws -> [Assessment] {
        let commitments = try loadNamedCommitments(keys: keys).filter { $0.madeOn.map { $0 <= asOf } ?? true }
        let byMetric = Dictionary(grouping: commitments, by: \.metric)
        let metrics = try loadMetrics(keys: keys.isEmpty ? [] : byMetric.keys.sorted())
        var assessments: [Assessment] = []
        assessments.reserveCapacity(commitments.count)
        // Figures arrive metric by metric; each metric's are assessed and dropped before the next,
        // so memory holds one metric's figures at a time.
        let baselines = byMetric.mapValues { $0.map(\.readsFiguresFrom).min()! }
        try forEachMetricsFigures(usableFrom: baselines, asOf: asOf) { key, figures in
            guard let metric = metrics[key] else { return }
            let derivations = DerivationCache()  // these commitments see the same figures
            for commitment in byMetric[key] ?? [] {
                assessments.append(Assessor.assess(commitment, metric: metric, figures: figures, asOf: asOf, derivations: derivations))
            }
        }
        return assessments.sorted { $0.key < $1.key }
    }

    /// A commitment with its assessment as of a date and its metric's figures behind it.
    public struct AssessedCommitment: Sendable {
        public let definition: Commitment
        /// Nil when the commitment was made after the as-of date: it did not exist then.
        public let assessment: Assessment?
        /// The metric's figures published by the as-of date (see `FigureReader.figures`).
        public let figures: [FigureReader.Figure]
    }

    /// The commitment `key` assessed as of `asOf`, as `assess` would, from its metric's figures
    /// read once for both the assessment and the answer: with `allRevisions`, every revision
    /// published by then; else only the current ones the assessment can use. Three short
    /// statements: what one page or one API answer costs. Nil for an unknown key.
    public func assessWithFigures(key: String, asOf: CivilDate, allRevisions: Bool) throws -> AssessedCommitment? {
        guard let commitment = try loadCommitments(keys: [key]).first else { return nil }
        let figures = try FigureReader(connection: connection).figures(metric: commitment.metric, asOf: asOf, revisions: allRevisions ? .all : .currentUsableFrom(commitment.readsFiguresFrom))
        var assessment: Assessment?
        if commitment.madeOn.map({ $0 <= asOf }) ?? true, let metric = try loadMetrics(keys: [commitment.metric])[commitment.metric] {
            assessment = Assessor.assess(commitment, metric: metric, figures: figures.filter(\.current).map(\.observed), asOf: asOf)
        }
        return AssessedCommitment(definition: commitment, assessment: assessment, figures: figures)
    }

    /// The keys of the commitments on any of `metrics`.
    public func commitmentKeys(onMetrics metrics: Set<String>) throws -> [String] {
        guard !metrics.isEmpty else { return [] }
        return try connection.query(
            "SELECT key FROM headway.commitments WHERE metric = ANY(\(PostgresTextArray(metrics.sorted()))::text[]) ORDER BY key"
        ).map { try $0.decode(String.self, at: 0) }
    }

    /// Assessments as read, with what storing them needs.
    public struct Assessed: Sendable {
        public let assessments: [Assessment]
        /// The as-of date used: the one asked for, or the present's.
        public let asOf: CivilDate
        /// How many of the commitments asked for were made after `asOf`, and so left out.
        public let leftOut: Int
        /// The server's clock once the figures were locked for reading.
        let readAt: String
        /// Each assessed commitment's definition version, read with the figures.
        let versions: [String: Int]
    }

    /// Assesses the commitments named by `keys` (all when empty) as of `asOf`, ready to store;
    /// a nil `asOf` is the present: the day (UTC) of the server's clock when the figures are read.
    /// Only an assessment of the present becomes the current state of the views (sql/004).
    ///
    /// Loads wait while the figures are read (a SHARE lock on observations), and the clock is read
    /// once the lock is held: figures recorded after that time are ones this assessment did not
    /// see, which is what makes a row of `headway.commitment_status` stale. Definitions, versions
    /// and figures are read from one snapshot, so an `apply` meanwhile is seen whole or not at all.
    public func assessForStoring(keys: [String] = [], asOf: CivilDate? = nil) throws -> Assessed {
        try connection.retryingTransaction { connection in
            try connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            try connection.execute("LOCK TABLE headway.observations IN SHARE MODE")
            // The snapshot is taken here, after the lock: LOCK and SET take none.
            let clock = try connection.query(
                "SELECT now::text AS read_at, (now AT TIME ZONE 'UTC')::date AS today FROM clock_timestamp() AS now")[0]
            let date = try asOf ?? clock.decode(CivilDate.self, column: "today")
            var versions: [String: Int] = [:]
            let versionRows = try connection.query(
                """
                SELECT key, version FROM headway.commitments
                WHERE cardinality(\(PostgresTextArray(keys))::text[]) = 0 OR key = ANY(\(PostgresTextArray(keys))::text[])
                """)
            for row in versionRows {
                versions[try row.decode(String.self, column: "key")] = try row.decode(Int.self, column: "version")
            }
            return Assessed(
                assessments: try assess(keys: keys, asOf: date), asOf: date, leftOut: try countMadeAfter(date, keys: keys), readAt: try clock.decode(String.self, column: "read_at"),
                versions: versions)
        }
    }

    /// Assesses and stores (see `assessForStoring` and `store`); returns the assessments.
    @discardableResult
    public func assessAndStore(keys: [String] = [], asOf: CivilDate? = nil) throws -> [Assessment] {
        let assessed = try assessForStoring(keys: keys, asOf: asOf)
        try store(assessed)
        return assessed.assessments
    }

    /// Re-assesses the given commitments (none when empty) as of the present and stores the
    /// results, `batch` commitments at a time, each batch assessed and stored as `assessAndStore`
    /// does: a load that touches every metric re-assesses the whole portfolio, and memory then
    /// holds one batch's assessments, not all. Every stored row records the versions and clock it
    /// read, so `stale` stays true of each row between batches. `each` sees every assessment.
    public func reassess(keys: [String], batch: Int = 1000, each: (Assessment) -> Void = { _ in }) throws {
        guard !keys.isEmpty else { return }
        // Batches of commitments on the same metrics: each batch reads its metrics' figures, so
        // together they read each figure about once. (Keys that name no commitment go last,
        // where `assess` says so.)
        let ordered = try connection.query(
            "SELECT key FROM headway.commitments WHERE key = ANY(\(PostgresTextArray(keys))::text[]) ORDER BY metric, key"
        ).map { try $0.decode(String.self, at: 0) }
        let found = Set(ordered)
        let all = ordered + keys.filter { !found.contains($0) }
        for start in stride(from: 0, to: all.count, by: batch) {
            try assessAndStore(keys: Array(all[start..<min(start + batch, all.count)])).forEach(each)
        }
    }

    /// Appends the assessments to `headway.assessments`, with the method version and each
    /// commitment's version. The database's trigger makes those of the present the latest state
    /// in `headway.commitment_state`, read from the very JSON stored, so both say the same
    /// (sql/004). One transaction.
    public func store(_ assessed: Assessed) throws {
        guard !assessed.assessments.isEmpty else { return }
        try connection.retryingTransaction { _ in try insert(assessed) }
    }

    private func insert(_ assessed: Assessed) throws {
        // Stores take turns, so two reports never both replace the same latest row.
        try connection.execute("SELECT pg_advisory_xact_lock(\(Self.storeLockKey))")
        try connection.execute(
            """
            CREATE TEMP TABLE headway_assessed (key text, version integer, as_of date, status text, result jsonb, fingerprint bigint,
                series_dates date[], series_progress numeric[], series_qualifiers text[], series_trajectory double precision[])
            ON COMMIT DROP
            """)
        let storedFingerprints = try seriesFingerprints(of: assessed.assessments.map(\.key))
        try connection.copyIn("COPY pg_temp.headway_assessed FROM STDIN") { copy in
            for assessment in assessed.assessments {
                let result = JSONReport.value(assessment, includeSeries: false).compactText
                let series = assessment.series
                let fingerprint = Self.fingerprint(series)
                var row: [String?] = [
                    assessment.key, assessed.versions[assessment.key].map(String.init), assessment.asOf.description,
                    assessment.status.rawValue, result, String(fingerprint),
                ]
                if storedFingerprints[assessment.key] == fingerprint {
                    row += [nil, nil, nil, nil]  // unchanged: not sent, not rewritten
                } else {
                    row += [
                        Self.arrayLiteral(series.map { $0.date.description }),
                        Self.arrayLiteral(series.map { $0.progress.map(DecimalText.format) }),
                        Self.arrayLiteral(series.map { $0.qualifier?.rawValue }),
                        Self.arrayLiteral(series.map { NumberText.format($0.trajectory) }),
                    ]
                }
                try copy.writeRow(row)
            }
        }
        try connection.execute(
            """
            INSERT INTO headway.assessments (commitment_key, commitment_version, as_of, assessed_at, method_version, status, result)
            SELECT a.key, a.version, a.as_of, \(assessed.readAt)::timestamptz, \(Assessment.methodVersion), a.status, a.result
            FROM pg_temp.headway_assessed a
            ORDER BY a.key
            """)
        // The series goes with the state: only where this store's assessment became the latest.
        // Series that did not change are left alone: most of a report's bulk, most of the time.
        try connection.execute(
            """
            INSERT INTO headway.latest_series AS l (commitment_key, dates, progress, qualifiers, trajectory, fingerprint)
            SELECT a.key, a.series_dates, a.series_progress, a.series_qualifiers, a.series_trajectory, a.fingerprint
            FROM pg_temp.headway_assessed a JOIN headway.commitment_state s ON s.commitment_key = a.key
            WHERE a.series_dates IS NOT NULL AND s.assessed_at = \(assessed.readAt)::timestamptz
            ORDER BY a.key
            ON CONFLICT (commitment_key) DO UPDATE
            SET dates = excluded.dates, progress = excluded.progress, qualifiers = excluded.qualifiers,
                trajectory = excluded.trajectory, fingerprint = excluded.fingerprint
            """)
    }

    /// The stored series' fingerprints of the commitments `keys`: a batch reads its own, not the table's.
    private func seriesFingerprints(of keys: [String]) throws -> [String: Int64] {
        var fingerprints: [String: Int64] = [:]
        for row in try connection.query(
            "SELECT commitment_key, fingerprint FROM headway.latest_series WHERE commitment_key = ANY(\(PostgresTextArray(keys))::text[])")
        {
            fingerprints[try row.decode(String.self, at: 0)] = try row.decode(Int64.self, at: 1)
        }
        return fingerprints
    }

    /// FNV-1a over the series' values. Equal series hash equally; a collision between different
    /// ones is as likely as 1 in 2^64, and would leave one chart's series a report behind.
    static func fingerprint(_ series: [Assessment.SeriesPoint]) -> Int64 {
        var hash = FNV1a()
        for point in series {
            withUnsafeBytes(of: point.date.daysSinceEpoch) { hash.mix($0) }
            withUnsafeBytes(of: point.trajectory.bitPattern) { hash.mix($0) }
            hash.mix((point.progress.map(DecimalText.format) ?? "-").utf8)
            hash.mix((point.qualifier?.rawValue ?? "-").utf8)
            hash.mix(CollectionOfOne(0))
        }
        return Int64(bitPattern: hash.value)
    }

    /// An arbitrary constant identifying the lock that serializes stores.
    private static let storeLockKey = 7_303_445_220

    /// A PostgreSQL array literal of plain elements (dates, numbers, qualifiers), NULL for nil.
    private static func arrayLiteral(_ elements: [String?]) -> String {
        "{" + elements.map { $0 ?? "NULL" }.joined(separator: ",") + "}"
    }

    /// How many of the commitments named by `keys` (all when empty) were made after `asOf`: the
    /// ones a report as of that date leaves out.
    public func countMadeAfter(_ asOf: CivilDate, keys: [String] = []) throws -> Int {
        try connection.query(
            """
            SELECT count(*) FROM headway.commitments
            WHERE made_on > \(asOf)
              AND (cardinality(\(PostgresTextArray(keys))::text[]) = 0 OR key = ANY(\(PostgresTextArray(keys))::text[]))
            """)[0].decode(Int.self, at: 0)
    }

    /// The commitments named by `keys` (all when empty), ordered by key; a key that names none is an error.
    func loadNamedCommitments(keys: [String]) throws -> [Commitment] {
        let commitments = try loadCommitments(keys: keys)
        if !keys.isEmpty {
            let missing = Set(keys).subtracting(commitments.map(\.key))
            if !missing.isEmpty { throw HeadwayError("no commitment with key \(missing.sorted().map { String(reflecting: $0) }.joined(separator: ", "))", kind: .input) }
        }
        return commitments
    }

    /// The commitments, every field decoded by name and type: milestones and tags arrive as typed
    /// JSON arrays, so no separator in the data can split or merge them, and a value Headway does
    /// not know (a precision, a comparison) is an error rather than a default.
    public func loadCommitments(keys: [String]) throws -> [Commitment] {
        let rows = try connection.query(
            SQLQuery("""
            SELECT c.key, c.title, c.metric, c.made_by, c.made_on, c.source, c.baseline_date, c.baseline_value,
                   c.target_value, c.target_change, c.target_change_percent, c.comparison, c.target_over, c.deadline, c.deadline_precision,
                   (SELECT coalesce(jsonb_agg(jsonb_build_array((e.m->>'date')::date, (e.m->>'value')::numeric::text) ORDER BY e.ord), '[]')
                    FROM jsonb_array_elements(c.milestones) WITH ORDINALITY e(m, ord)) AS milestones,
                   c.extends, to_jsonb(c.tags) AS tags
            FROM headway.commitments c
            WHERE \(Self.keyCondition("c.key", keys))
            ORDER BY c.key
            """).prepared())
        return try rows.map { row in
            let target: Commitment.Target
            if let value = try row.decode(Decimal?.self, column: "target_value") {
                target = .value(value)
            } else if let change = try row.decode(Decimal?.self, column: "target_change") {
                target = .change(change)
            } else {
                target = .percentChange(try row.decode(Decimal.self, column: "target_change_percent"))
            }
            let key = try row.decode(String.self, column: "key")
            let over = try row.decode(String?.self, column: "target_over").map { raw in
                guard let over = Commitment.Over(rawValue: raw) else { throw HeadwayError("commitment \(key): target_over \(raw) is not known") }
                return over
            }
            let milestones = try row.decode(PostgresJSON<[[String?]]>.self, column: "milestones").value.map { pair in
                guard pair.count == 2, let date = pair[0], let value = pair[1] else {
                    throw HeadwayError("commitment \(key): a milestone without a date or a value")
                }
                return Commitment.Milestone(date: try CivilDate(parsing: date), value: try Decimal(postgresText: value))
            }
            return Commitment(
                key: key, title: try row.decode(column: "title"), metric: try row.decode(column: "metric"),
                madeBy: try row.decode(String?.self, column: "made_by"), madeOn: try row.decode(CivilDate?.self, column: "made_on"),
                source: try row.decode(String?.self, column: "source"),
                baseline: Commitment.Baseline(
                    date: try row.decode(column: "baseline_date"), value: try row.decode(Decimal?.self, column: "baseline_value")),
                target: target, comparison: try row.decode(Commitment.Comparison?.self, column: "comparison"), over: over,
                deadline: DatePeriod(
                    last: try row.decode(column: "deadline"), precision: try row.decode(DatePeriod.Precision.self, column: "deadline_precision")),
                milestones: milestones, extends: try row.decode(String?.self, column: "extends"),
                tags: try row.decode(PostgresJSON<[String]>.self, column: "tags").value)
        }
    }

    /// `column` is one of `keys`, or anything when there are none: three texts, each with a
    /// plan PostgreSQL may keep for any values once prepared (an index lookup for one key or
    /// for a list; everything for none). One text for all three would be a plan that reads
    /// every row and compares it with every key.
    static func keyCondition(_ column: String, _ keys: [String]) -> SQLQuery {
        switch keys.count {
        case 0: "true"
        case 1: "\(unsafeSQL: column) = \(keys[0])"
        default: "\(unsafeSQL: column) = ANY(\(PostgresTextArray(keys))::text[])"
        }
    }

    /// The metrics named by `keys` (all when empty), by key.
    func loadMetrics(keys: [String] = []) throws -> [String: Metric] {
        var metrics: [String: Metric] = [:]
        let rows = try connection.query(
            SQLQuery("SELECT key, name, unit, kind, min_value, max_value FROM headway.metrics WHERE \(Self.keyCondition("key", keys))").prepared())
        for row in rows {
            let metric = Metric(
                key: try row.decode(column: "key"), name: try row.decode(column: "name"), unit: try row.decode(column: "unit"),
                kind: try row.decode(Metric.Kind.self, column: "kind"), minimum: try row.decode(Decimal?.self, column: "min_value"),
                maximum: try row.decode(Decimal?.self, column: "max_value"))
            metrics[metric.key] = metric
        }
        return metrics
    }

    /// Hands over each metric's figures as known at `asOf` (published by then, in the revision
    /// current then) that an assessment from its earliest baseline can use, one metric at a time;
    /// metrics without figures get an empty list.
    private func forEachMetricsFigures(usableFrom baselines: [String: CivilDate], asOf: CivilDate, _ body: (String, [ObservedFigure]) throws -> Void) throws {
        let metrics = baselines.keys.sorted()
        try forEachMetric(metrics: metrics, figures: FigureReader.currentUsable(metrics: metrics, from: metrics.map { baselines[$0]! }, asOf: asOf), body)
    }

    /// Streams `query` (metric, period_start, period_end, value, qualifier, revision, published_on,
    /// ordered by metric) and hands over each metric's figures in turn, then an empty list for
    /// each of `metrics` that had none: memory holds one metric's figures at a time.
    func forEachMetric(metrics: [String], figures query: SQLQuery, _ body: (String, [ObservedFigure]) throws -> Void) throws {
        var current: String?
        var figures: [ObservedFigure] = []
        var done: Set<String> = []
        func finish() throws {
            guard let current else { return }
            try body(current, figures)
            done.insert(current)
            figures.removeAll(keepingCapacity: true)
        }
        try connection.forEachRowInBatches(query) { row in
            let metric = try row.decode(String.self, at: 0)
            if metric != current {
                try finish()
                current = metric
            }
            figures.append(
                ObservedFigure(
                    periodStart: try row.decode(CivilDate?.self, at: 1), periodEnd: try row.decode(at: 2), value: try row.decode(at: 3),
                    qualifier: try row.decode(Qualifier.self, at: 4), revision: try row.decode(at: 5),
                    publishedOn: try row.decode(at: 6)))
        }
        try finish()
        for metric in metrics where !done.contains(metric) { try body(metric, []) }
    }
}
