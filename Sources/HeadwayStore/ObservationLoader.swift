import Foundation
import HeadwayIngest
import HeadwayModel
import HeadwayPostgres

#if canImport(Glibc)
    import Glibc
#endif

/// Loads observation CSV files: every row validated, all files in one transaction, bulk rows
/// through COPY, identical figures left alone and changed ones stored as revisions.
///
/// Memory stays flat whatever the file size: rows stream from the file through validation into
/// a COPY to a temporary staging table, and one set-based statement merges them.
public struct ObservationLoader {
    public struct Options: Sendable {
        /// Load the good rows and write the bad ones to `rejectsPath`, instead of writing nothing.
        public var skipInvalid = false
        public var rejectsPath: String?
        /// How many errors to collect before giving up on a bad file.
        public var maximumErrors = 20
        /// Called now and then with (file, bytes read, file size if known, rows read).
        public var progress: (@Sendable (String, Int, Int?, Int) -> Void)?

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
        var summary = try connection.transaction { connection -> Summary in
            // Loaders take turns (readers are not blocked), so concurrent loads of overlapping
            // files see each other's rows and number revisions without gaps or duplicates.
            try connection.execute("LOCK TABLE headway.observations IN SHARE ROW EXCLUSIVE MODE")
            let catalog = try ObservationCatalog.load(connection)
            try connection.executeScript(
                """
                CREATE TEMP TABLE headway_staging (
                    line integer, metric text, kind text, period_start date, period_end date, value numeric,
                    qualifier text, source text, published_on date, note text
                ) ON COMMIT DROP
                """)
            var summary = Summary()
            var errors: [InputError] = []
            var truncated = false
            for path in paths {
                let reader = try CSVReader(path: path)
                let fileSize = path == "-" ? nil : (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
                var validator = ObservationValidator(fileName: reader.fileName, catalog: catalog)
                guard let header = try reader.next() else {
                    throw InputError(file: reader.fileName, line: 1, column: nil, message: "the file is empty; expected a header row")
                }
                try validator.readHeader(header)
                try rejects?.begin(header: header.fields)
                var lastProgress = Date()
                try connection.copyIn(
                    "COPY pg_temp.headway_staging (line, metric, kind, period_start, period_end, value, qualifier, source, published_on, note) FROM STDIN"
                ) { copy in
                    while true {
                        let record: CSVReader.Record
                        do {
                            guard let next = try reader.next(columnName: validator.columnName) else { break }
                            record = next
                        } catch let error as InputError {
                            try reject(error, fields: nil, rejects: rejects, summary: &summary, errors: &errors, truncated: &truncated)
                            if truncated { break }
                            continue
                        }
                        if record.fields.count == 1 && record.fields[0].isEmpty { continue }  // a blank line
                        summary.rows += 1
                        do {
                            let row = try validator.validate(record)
                            if errors.isEmpty { try copy.writeRow(row.copyFields) }
                        } catch let error as InputError {
                            try reject(error, fields: record.fields, rejects: rejects, summary: &summary, errors: &errors, truncated: &truncated)
                            if truncated { break }
                        }
                        if let progress = options.progress, summary.rows % 65_536 == 0, Date().timeIntervalSince(lastProgress) > 0.5 {
                            lastProgress = Date()
                            progress(reader.fileName, reader.bytesRead, fileSize, summary.rows)
                        }
                    }
                }
                if truncated { break }
            }
            if !errors.isEmpty { throw InvalidInput(errors: errors, truncated: truncated) }
            let counts = try connection.query(Self.mergeStatement)[0]
            summary.inserted = try counts.decode(Int.self, at: 0)
            summary.revised = try counts.decode(Int.self, at: 1)
            summary.unchanged = summary.rows - summary.rejected - summary.inserted - summary.revised
            return summary
        }
        try rejects?.finish()
        summary.elapsedSeconds = Date().timeIntervalSince(started)
        return summary
    }

    private func reject(
        _ error: InputError, fields: [String]?, rejects: RejectsWriter?, summary: inout Summary, errors: inout [InputError],
        truncated: inout Bool
    ) throws {
        if let rejects, options.skipInvalid {
            summary.rejected += 1
            if fields == nil { summary.rows += 1 }
            try rejects.write(error: error, fields: fields)
        } else if errors.count < options.maximumErrors {
            errors.append(error)
        } else {
            truncated = true
        }
    }

    /// Merges the staging table into the observations: a row identical to a stored one (same
    /// identity, value, qualifier and published_on) changes nothing; any other row for an
    /// existing identity becomes its next revision, numbered in order of publication.
    static let mergeStatement: SQLQuery = """
        WITH staged AS (
            SELECT DISTINCT ON (metric, start_key, period_end, value, qualifier, published_on) *
            FROM (SELECT *, coalesce(period_start, '-infinity'::date) AS start_key FROM pg_temp.headway_staging) s
            ORDER BY metric, start_key, period_end, value, qualifier, published_on, line
        ), fresh AS (
            SELECT s.* FROM staged s
            WHERE NOT EXISTS (
                SELECT 1 FROM headway.observations o
                WHERE o.metric = s.metric AND coalesce(o.period_start, '-infinity'::date) = s.start_key
                  AND o.period_end = s.period_end AND o.value = s.value AND o.qualifier = s.qualifier
                  AND o.published_on = s.published_on)
        ), latest AS (
            SELECT o.metric, coalesce(o.period_start, '-infinity'::date) AS start_key, o.period_end, max(o.revision) AS revision
            FROM headway.observations o
            WHERE o.metric IN (SELECT DISTINCT metric FROM fresh)
            GROUP BY 1, 2, 3
        ), inserted AS (
            INSERT INTO headway.observations (metric, kind, period_start, period_end, revision, value, qualifier, source, published_on, note)
            SELECT f.metric, f.kind, f.period_start, f.period_end,
                   coalesce(l.revision, 0) + row_number() OVER (PARTITION BY f.metric, f.start_key, f.period_end ORDER BY f.published_on, f.line),
                   f.value, f.qualifier, f.source, f.published_on, f.note
            FROM fresh f
            LEFT JOIN latest l ON l.metric = f.metric AND l.start_key = f.start_key AND l.period_end = f.period_end
            ORDER BY f.metric, f.start_key, f.period_end, f.published_on, f.line
            RETURNING revision
        )
        SELECT count(*) FILTER (WHERE revision = 1), count(*) FILTER (WHERE revision > 1) FROM inserted
        """
}

extension ValidatedObservation {
    /// The staging table's columns, in COPY order.
    var copyFields: [String?] {
        [
            String(line), metric, kind.rawValue, periodStart?.description, periodEnd.description, value, qualifier.rawValue, source,
            publishedOn.description, note,
        ]
    }
}

/// Writes rejected rows as CSV: where each came from, why, and its fields as read.
final class RejectsWriter {
    private let handle: FileHandle
    private var headerWritten = false
    private var width = 0

    init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw InputError(file: path, line: 0, column: nil, message: "cannot create the rejects file")
        }
        handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    }

    func begin(header: [String]) throws {
        width = max(width, header.count)
        guard !headerWritten else { return }
        headerWritten = true
        try write(["file", "line", "error"] + header)
    }

    func write(error: InputError, fields: [String]?) throws {
        try write([error.file, String(error.line), error.description] + (fields ?? []))
    }

    func finish() throws { try handle.close() }

    private func write(_ fields: [String]) throws {
        let line = fields.map(Self.quote).joined(separator: ",") + "\n"
        try handle.write(contentsOf: Data(line.utf8))
    }

    /// RFC 4180 quoting, only where needed.
    static func quote(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
