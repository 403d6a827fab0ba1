import Foundation
import HeadwayCSV
import HeadwayIngest
import HeadwayModel
import HeadwayPostgres

/// Loads observation CSV files: every row validated, all files in one transaction, bulk rows
/// through COPY, identical figures left alone and changed ones stored as revisions.
///
/// Memory stays flat whatever the file size: rows stream from the file through validation into a
/// COPY, straight into the observations while every row is a new figure (a period after the last
/// one its metric has); otherwise each run of a metric's rows is compared with the figures stored
/// for it, and only new and differing rows go into a temporary staging table that one set-based
/// statement merges.
public struct ObservationLoader {
    public struct Options: Sendable {
        /// Load the good rows and write the bad ones to `rejectsPath`, instead of writing nothing.
        public var skipInvalid = false
        public var rejectsPath: String?
        /// How many errors to collect before giving up on a bad file.
        public var maximumErrors = 20
        /// Called now and then with (file, bytes read, file size if known, rows read).
        public var progress: (@Sendable (String, Int, Int?, Int) -> Void)?
        /// When set, figures published after this date are counted in `Summary.publishedLater`.
        public var today: CivilDate?
        /// Says where a row of a converted file came from in the original (`FigureSpool`): every
        /// error, kept or written to the rejects file, goes through it.
        public var locate: (@Sendable (InputError) -> InputError)?
        /// The fewest rows of one metric in a row that are compared with their stored figures
        /// before staging (fewer are staged as they are); tests lower it to compare every row.
        var rowsWorthComparing = 16
        /// Rows compared per query, and short runs grouped by metric at a time (`ObservationStaging`);
        /// tests make them small, to reach every path with small files.
        var batchSize = 2_000
        var windowSize = 20_000
        /// Merge as if rows might repeat an identity even when they came in order; tests set it to
        /// check the merge that sorts against the one that need not.
        var mergeAsIfUnordered = false

        public init(skipInvalid: Bool = false, rejectsPath: String? = nil) {
            self.skipInvalid = skipInvalid
            self.rejectsPath = rejectsPath
        }
    }

    public struct Summary: Sendable, Equatable {
        public var rows = 0
        public var inserted = 0
        public var unchanged = 0
        public var revised = 0
        public var rejected = 0
        public var elapsedSeconds = 0.0
        /// The metrics that got new figures or revisions.
        public var touchedMetrics: Set<String> = []
        /// Unchanged rows whose note or source differs from the stored figure's (which is kept).
        public var provenanceDiffers = 0
        /// Rows whose `published_on` is after `Options.today`, and where the first of them is.
        public var publishedLater = 0
        public var firstPublishedLater: String?
        public init() {}
    }

    /// The bad rows of files that could not be loaded (at most `maximumErrors` of them).
    public struct InvalidInput: Error, CustomStringConvertible {
        public let errors: [InputError]
        public let truncated: Bool
        public var description: String {
            let lines = errors.map(\.description) + (truncated ? ["(more errors not shown)"] : [])
            return lines.joined(separator: "\n") + "\nnothing was loaded; fix the rows above, or load the good ones with --skip-invalid --rejects FILE"
        }
    }

    let connection: PostgresConnection
    let options: Options

    public init(connection: PostgresConnection, options: Options = Options()) {
        self.connection = connection
        self.options = options
    }

    /// Loads `paths` (`-` is standard input) atomically: on any error nothing is written.
    public func load(_ paths: [String]) throws -> Summary {
        let started = Date()
        let rejects = try options.rejectsPath.map { try RejectsWriter(path: $0) }
        var run = try connection.transaction { connection -> Run in
            // Loaders take turns (readers are not blocked, except by a first load into an empty
            // table while it rebuilds the index), so concurrent loads of overlapping files see
            // each other's rows and number revisions without gaps or duplicates. The work memory
            // keeps the reference trigger's copy of a large load's rows off the disk.
            try connection.execute("LOCK TABLE headway.observations IN SHARE ROW EXCLUSIVE MODE")
            try connection.execute("SET LOCAL work_mem = '256MB'")
            // Measured on the merge: compiling it (JIT) cost more than it saved, and a merge join
            // sorts every stored figure where a hash join (or an index probe) does not.
            try connection.execute("SET LOCAL jit = off")
            try connection.execute("SET LOCAL enable_mergejoin = off")
            var run = Run(catalog: try ObservationCatalog.load(connection), rejects: rejects)
            run.lastStored = try Self.lastStoredPeriods(connection)
            run.tableIsEmpty = run.lastStored.isEmpty
            for (index, path) in paths.enumerated() where !run.truncated {
                // The fast path copies rows straight into the table. It applies while every row
                // is a new figure; when it meets one that may not be, or a figure repeated in the
                // file, the file is read again through the staging table and merged. Once a file
                // is staged, the later ones are too, so that the merge numbers all revisions.
                if path != "-", !options.skipInvalid, !run.staged, try loadDirectly(path, &run) {
                    if index < paths.count - 1 { run.lastStored = try Self.lastStoredPeriods(connection) }
                    continue
                }
                try stream(path, &run, direct: false)
            }
            if !run.errors.isEmpty { throw InvalidInput(errors: run.errors, truncated: run.truncated) }
            if let staging = run.staging {
                run.summary.provenanceDiffers += staging.provenanceDiffers
                if staging.stagedRows > 0 { try merge(staging, &run.summary) }
            }
            return run
        }
        try rejects?.finish()
        run.summary.unchanged = run.summary.rows - run.summary.rejected - run.summary.inserted - run.summary.revised
        run.summary.elapsedSeconds = Date().timeIntervalSince(started)
        return run.summary
    }

    /// Merges the staged rows; one row per metric that got figures (or one with no metric).
    private func merge(_ staging: ObservationStaging, _ summary: inout Summary) throws {
        let probing = try Self.probesTheIndex(forStagedRows: staging.uncomparedRows, connection)
        var provenanceDiffers = 0
        for counts in try connection.query(Self.mergeStatement(probing: probing, identitiesAreUnique: staging.identitiesAreUnique && !options.mergeAsIfUnordered)) {
            if let metric = try counts.decode(String?.self, at: 0) { summary.touchedMetrics.insert(metric) }
            summary.inserted += try counts.decode(Int.self, at: 1)
            summary.revised += try counts.decode(Int.self, at: 2)
            provenanceDiffers = try counts.decode(Int.self, at: 3)
        }
        summary.provenanceDiffers += provenanceDiffers
    }

    /// What a load has done so far.
    private struct Run {
        let catalog: ObservationCatalog
        let rejects: RejectsWriter?
        /// Each metric's last stored period, in the identity index's order.
        var lastStored: [String: StoredPeriod] = [:]
        /// No observation yet (so the first file may go in before the identity index is built).
        var tableIsEmpty = false
        var summary = Summary()
        var errors: [InputError] = []
        var truncated = false
        /// Set once a file goes through the merge.
        var staging: ObservationStaging?
        var staged: Bool { staging != nil }
    }

    /// The fast path meets data it cannot simply insert.
    private struct NeedsMerge: Error {}

    /// A figure's period as the identity index orders it: by start (none first), then end.
    struct StoredPeriod: Comparable {
        var start: Int
        var end: Int

        init(start: CivilDate?, end: CivilDate) {
            self.start = start?.daysSinceEpoch ?? Int.min
            self.end = end.daysSinceEpoch
        }

        static func < (a: Self, b: Self) -> Bool { (a.start, a.end) < (b.start, b.end) }
    }

    /// Each metric's last period in the identity index (a backward step into the index per
    /// metric): a row whose period comes after it is certainly a new figure.
    private static func lastStoredPeriods(_ connection: PostgresConnection) throws -> [String: StoredPeriod] {
        var periods: [String: StoredPeriod] = [:]
        let rows = try connection.query(
            """
            SELECT m.key, l.period_start, l.period_end FROM headway.metrics m
            CROSS JOIN LATERAL (
                SELECT o.period_start, o.period_end FROM headway.observations o WHERE o.metric = m.key
                ORDER BY o.metric DESC, coalesce(o.period_start, '-infinity'::date) DESC, o.period_end DESC, o.revision DESC LIMIT 1) l
            """)
        for row in rows {
            periods[try row.decode(String.self, at: 0)] = StoredPeriod(
                start: try row.decode(CivilDate?.self, at: 1), end: try row.decode(CivilDate.self, at: 2))
        }
        return periods
    }

    /// Tries to COPY a file straight into the observations; false when it must be merged instead.
    private func loadDirectly(_ path: String, _ run: inout Run) throws -> Bool {
        let before = run
        do {
            try connection.transaction { connection in
                // Into an empty table, rows go in without the identity index, which is then built
                // once: PostgreSQL's advice for bulk loads, as a sorted build costs a fraction of
                // a million single insertions. The index still checks every row: a figure the
                // file repeats fails the build, and the file goes through the merge instead.
                // (Functions of sql/007 do both as the table's owner, for writer logins too.)
                let dropped = try run.tableIsEmpty && connection.query("SELECT headway.drop_identity_index_if_empty()")[0].decode(Bool.self, at: 0)
                try stream(path, &run, direct: true)
                if dropped { try connection.execute("SELECT headway.build_identity_index()") }
            }
            run.tableIsEmpty = false
            return true
        } catch is NeedsMerge {
            run = before
            return false
        } catch let error as PostgresError where error.sqlState == .uniqueViolation {
            run = before  // the file repeats a figure: the merge sorts repeats and revisions out
            return false
        }
    }

    /// Reads, validates and copies one file, into the observations (`direct`) or, through the
    /// comparison with the stored figures, into the staging table.
    private func stream(_ path: String, _ run: inout Run, direct: Bool) throws {
        let reader = try CSVReader(path: path)
        let fileSize = path == "-" ? nil : (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
        var validator = ObservationValidator(fileName: reader.fileName, catalog: run.catalog)
        guard let header = try reader.next() else {
            throw InputError(file: reader.fileName, line: 1, column: nil, message: "the file is empty; expected a header row")
        }
        try validator.readHeader(header)
        try run.rejects?.begin(header: header.fields)
        guard direct else {
            var staging = run.staging ?? ObservationStaging(
                connection: connection, rowsWorthComparing: options.rowsWorthComparing, batchSize: options.batchSize, windowSize: options.windowSize)
            try readRows(reader, &validator, fileSize: fileSize, &run) { row, position in
                try staging.add(StoredFigureMatcher.Row(position: position, row: row))
            }
            try staging.finish()
            run.staging = staging
            return
        }
        let lastStoredPeriods = run.lastStored
        var metricsSeen: Set<String> = []
        var lastMetric = ""  // rows come in series: look a metric up when it changes
        var lastStored: StoredPeriod?
        // In COPY's binary format: the server need not parse dates and numbers.
        let copied = try connection.copyIn(
            "COPY headway.observations (metric, kind, period_start, period_end, value, qualifier, source, published_on, note) FROM STDIN (FORMAT binary)",
            format: .binary
        ) { copy in
            try readRows(reader, &validator, fileSize: fileSize, &run) { row, _ in
                if row.metric != lastMetric {
                    metricsSeen.insert(row.metric)
                    lastMetric = row.metric
                    lastStored = lastStoredPeriods[row.metric]
                }
                if let lastStored, StoredPeriod(start: row.periodStart, end: row.periodEnd) <= lastStored { throw NeedsMerge() }
                try copy.writeBinary(row)
            }
        }
        run.summary.inserted += copied
        run.summary.touchedMetrics.formUnion(metricsSeen)
    }

    /// Reads and validates every row of a file, counting and rejecting as it goes, and hands
    /// each good row to `body` with its position in the command, as long as no row failed.
    private func readRows(
        _ reader: CSVReader, _ validator: inout ObservationValidator, fileSize: Int?, _ run: inout Run, _ body: (ValidatedObservation, Int) throws -> Void
    ) throws {
        var lastProgress = Date()
        while true {
            let record: CSVReader.Bytes
            do {
                guard let next = try reader.nextBytes(columnName: validator.columnName) else { break }
                record = next
            } catch let error as InputError {
                run.summary.rows += 1
                try reject(error, fields: nil, &run)
                if run.truncated { break } else { continue }
            }
            if record.isBlank { continue }
            run.summary.rows += 1
            do {
                let row = try validator.validate(record)
                if let today = options.today, row.publishedOn > today {
                    run.summary.publishedLater += 1
                    if run.summary.firstPublishedLater == nil {
                        // Where the row is in the file given: a converted file's origin, when it is one.
                        let at = options.locate?(InputError(file: reader.fileName, line: row.line, column: nil, message: ""))
                        let place = at.map { $0.path.map { path in "\(reader.fileName): \(path)" } ?? "\(reader.fileName):\($0.line)" }
                        run.summary.firstPublishedLater = "\(place ?? "\(reader.fileName):\(row.line)") (\(row.publishedOn))"
                    }
                }
                if run.errors.isEmpty { try body(row, run.summary.rows) }
            } catch let error as InputError {
                try reject(error, fields: record.record.fields, &run)
                if run.truncated { break }
            }
            if let progress = options.progress, run.summary.rows % 65_536 == 0, Date().timeIntervalSince(lastProgress) > 0.5 {
                lastProgress = Date()
                progress(reader.fileName, reader.bytesRead, fileSize, run.summary.rows)
            }
        }
    }

    private func reject(_ error: InputError, fields: [String]?, _ run: inout Run) throws {
        let error = options.locate?(error) ?? error
        if let rejects = run.rejects, options.skipInvalid {
            run.summary.rejected += 1
            try rejects.write(error: error, fields: fields)
        } else if run.errors.count < options.maximumErrors {
            run.errors.append(error)
        } else {
            run.truncated = true
        }
    }

    /// Merges the staging table into the observations in one statement. Only the rows worth a
    /// second look go on from the first step: those no stored revision repeats (same identity,
    /// value, qualifier and published_on), and those a stored revision repeats with another note
    /// or source (counted; provenance is not revised). Each new figure is inserted once, as its
    /// identity's next revision, numbered in order of publication. Answers one row per metric
    /// that got figures (or one without a metric).
    ///
    /// Rows the client compared (`ObservationStaging`) are known to be new or to differ, and
    /// come with their identity's latest stored revision. The others' first step looks each one's
    /// identity up in the index when they are few against the stored figures (`probing`):
    /// 100,000 revisions against a million figures then cost 100,000 index steps, not a hash
    /// table of the million. Otherwise one hash join of them with all stored figures is cheaper
    /// than a probe per row.
    ///
    /// When the rows read gave no identity twice (`identitiesAreUnique`), each new figure is its
    /// identity's only one in the load: no repeats to drop, no order of publication to number
    /// by, so no sort.
    static func mergeStatement(probing: Bool, identitiesAreUnique: Bool) -> SQLQuery {
        SQLQuery(stringLiteral: "WITH interesting AS (\n" + comparedRows + "    UNION ALL\n" + (probing ? probedRows : hashedRows)
            + mergeOfInterestingRows(identitiesAreUnique: identitiesAreUnique))
    }

    /// Rows the client compared with the stored figures (only new and differing ones are staged),
    /// with the latest stored revision it read.
    private static let comparedRows = """
            SELECT s.*, coalesce(s.period_start, '-infinity'::date) AS start_key, false AS repeated, s.stored_latest::integer AS latest
            FROM pg_temp.headway_staging s WHERE s.stored_latest IS NOT NULL

        """

    /// Each staged row with what its identity's stored revisions say about it, in one index probe.
    private static let probedRows = """
            SELECT s.*, coalesce(s.period_start, '-infinity'::date) AS start_key, stored.repeated, stored.latest
            FROM (SELECT * FROM pg_temp.headway_staging WHERE stored_latest IS NULL) s
            CROSS JOIN LATERAL (
                SELECT max(o.revision) AS latest,
                       coalesce(bool_or(o.value = s.value AND o.qualifier = s.qualifier AND o.published_on = s.published_on), false) AS repeated,
                       coalesce(bool_or(o.value = s.value AND o.qualifier = s.qualifier AND o.published_on = s.published_on
                                        AND o.note IS NOT DISTINCT FROM s.note AND o.source IS NOT DISTINCT FROM s.source), false) AS alike
                FROM headway.observations o
                WHERE o.metric = s.metric AND coalesce(o.period_start, '-infinity'::date) = coalesce(s.period_start, '-infinity'::date)
                  AND o.period_end = s.period_end) stored
            WHERE NOT stored.alike

        """

    /// The same from one hash join; the latest revision is then looked up for new figures only.
    private static let hashedRows = """
            SELECT s.*, coalesce(s.period_start, '-infinity'::date) AS start_key, o.revision IS NOT NULL AS repeated, NULL::integer AS latest
            FROM (SELECT * FROM pg_temp.headway_staging WHERE stored_latest IS NULL) s
            LEFT JOIN headway.observations o
              ON o.metric = s.metric AND coalesce(o.period_start, '-infinity'::date) = coalesce(s.period_start, '-infinity'::date)
             AND o.period_end = s.period_end AND o.value = s.value AND o.qualifier = s.qualifier AND o.published_on = s.published_on
            WHERE o.revision IS NULL OR o.note IS DISTINCT FROM s.note OR o.source IS DISTINCT FROM s.source

        """

    /// The rest of the merge, from the rows worth a second look (`interesting`).
    private static func mergeOfInterestingRows(identitiesAreUnique unique: Bool) -> String {
        let fresh = unique ? "SELECT * FROM interesting WHERE NOT repeated" : """
            SELECT DISTINCT ON (metric, start_key, period_end, value, qualifier, published_on) *
                FROM interesting WHERE NOT repeated
                ORDER BY metric, start_key, period_end, value, qualifier, published_on, position
            """
        let nth = unique ? "1" : "row_number() OVER (PARTITION BY f.metric, f.start_key, f.period_end ORDER BY f.published_on, f.position)"
        let order = unique ? "" : "ORDER BY f.metric, f.start_key, f.period_end, f.published_on, f.position"
        return """
        ), fresh AS (
            \(fresh)
        ), inserted AS (
            INSERT INTO headway.observations (metric, kind, period_start, period_end, revision, value, qualifier, source, published_on, note)
            SELECT f.metric, f.kind, f.period_start, f.period_end,
                   coalesce(f.latest, (SELECT max(o.revision) FROM headway.observations o
                                       WHERE o.metric = f.metric AND coalesce(o.period_start, '-infinity'::date) = f.start_key AND o.period_end = f.period_end), 0)
                     + \(nth),
                   f.value, f.qualifier, f.source, f.published_on, f.note
            FROM fresh f
            \(order)
            RETURNING metric, revision
        ), provenance AS (
            -- Rows a stored revision repeats with another note or source, unless another stored
            -- revision repeats them with the same (a figure stored twice, by some SQL client).
            SELECT count(DISTINCT position) AS differs FROM interesting s
            WHERE s.repeated AND NOT EXISTS (
                SELECT 1 FROM headway.observations o
                WHERE o.metric = s.metric AND coalesce(o.period_start, '-infinity'::date) = s.start_key AND o.period_end = s.period_end
                  AND o.value = s.value AND o.qualifier = s.qualifier AND o.published_on = s.published_on
                  AND o.note IS NOT DISTINCT FROM s.note AND o.source IS NOT DISTINCT FROM s.source)
        )
        SELECT i.metric, coalesce(i.inserted, 0), coalesce(i.revised, 0), p.differs
        FROM provenance p
        LEFT JOIN (SELECT metric, count(*) FILTER (WHERE revision = 1) AS inserted, count(*) FILTER (WHERE revision > 1) AS revised
                   FROM inserted GROUP BY metric) i ON true
        """
    }

    /// Whether the merge of `staged` rows should probe the index per row: when they are fewer
    /// than an eighth of the stored figures (measured at a million stored figures, a probe costs
    /// about as much as hashing eight of them). The stored figures are counted as the planner
    /// estimates them (rows per page when last counted, times the pages now), without reading them.
    static func probesTheIndex(forStagedRows staged: Int, _ connection: PostgresConnection) throws -> Bool {
        let stored = try connection.query(
            """
            SELECT CASE WHEN relpages > 0 AND reltuples > 0
                        THEN reltuples / relpages * (pg_relation_size(oid) / current_setting('block_size')::int) ELSE 0 END::float8
            FROM pg_class WHERE oid = 'headway.observations'::regclass
            """)[0].decode(Double.self, at: 0)
        return Double(staged) * 8 < stored
    }
}

extension CopyWriter {
    /// The row in COPY's binary format, in the column order of `stream`'s direct COPY.
    mutating func writeBinary(_ row: ValidatedObservation) throws {
        beginRow(fields: 9)
        try writeFields(row)
        try endBinaryRow()
    }

    /// A row for the staging table: its position, the row, the latest stored revision if known.
    mutating func writeBinary(staged: StoredFigureMatcher.Row) throws {
        beginRow(fields: 11)
        writeBinary(int64: Int64(staged.position))
        try writeFields(staged.row)
        writeBinary(int64: staged.latestRevision.map(Int64.init))
        try endBinaryRow()
    }

    private mutating func writeFields(_ row: ValidatedObservation) throws {
        writeBinary(text: row.metric)
        writeBinary(text: row.kind.rawValue)
        writeBinary(daysSince1970: row.periodStart?.daysSinceEpoch)
        writeBinary(daysSince1970: row.periodEnd.daysSinceEpoch)
        try writeBinary(numeric: row.value)
        writeBinary(text: row.qualifier.rawValue)
        writeBinary(text: row.source)
        writeBinary(daysSince1970: row.publishedOn.daysSinceEpoch)
        writeBinary(text: row.note)
    }
}

/// Writes rejected rows as CSV: where each came from, why, and its fields as read.
final class RejectsWriter {
    private let handle: OutputFile
    private var headerWritten = false
    private var width = 0

    init(path: String) throws {
        do {
            handle = try OutputFile.open(path)
        } catch let error as HeadwayError {
            throw InputError(file: path, line: 0, column: nil, message: "cannot create the rejects file (\(error.message))")
        }
    }

    func begin(header: [String]) throws {
        width = max(width, header.count)
        guard !headerWritten else { return }
        headerWritten = true
        try write((["file", "line", "error"] + header).map(CSVField.text))
    }

    /// The row's fields as read: a plain number as it is, anything else as text (defused).
    func write(error: InputError, fields: [String]?) throws {
        try write([.text(error.file), .number(String(error.line)), .text(error.description)] + (fields ?? []).map(CSVField.inferred))
    }

    func finish() throws { try handle.close() }

    /// One record under Headway's one CSV policy (`CSVField`).
    private func write(_ fields: [CSVField]) throws {
        var bytes: [UInt8] = []
        CSVRecord.append(fields, to: &bytes)
        try handle.write(contentsOf: Data(bytes))
    }
}
