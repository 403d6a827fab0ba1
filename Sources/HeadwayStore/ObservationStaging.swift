import Foundation
import HeadwayIngest
import HeadwayModel
import HeadwayPostgres

/// The staging table of a load that merges, and the rows on their way to it: each run of one
/// metric's rows is first compared with its stored figures (`StoredFigureMatcher`), and only the
/// rows that are new or differ are staged, in batches, for the merge. The stored figures of one
/// run are asked for when it ends, and compared when the next one ends: the server reads them
/// while the client reads the file.
struct ObservationStaging {
    typealias Row = StoredFigureMatcher.Row

    let connection: PostgresConnection
    /// The fewest rows of one metric in a row worth a query of their stored figures: below it,
    /// staging them costs less than the round trip.
    let rowsWorthComparing: Int
    private(set) var stagedRows = 0
    /// Rows a stored figure repeats with another note or source.
    private(set) var provenanceDiffers = 0
    private var tableCreated = false
    /// Consecutive rows of one metric, being read.
    private var series: [Row] = []
    /// The run before, whose stored figures were asked for.
    private var asked: [Row] = []
    /// Rows to stage, not sent yet.
    private var pending: [Row] = []
    /// Bounds on both lists, which bound the memory a load uses.
    static let batchSize = 10_000

    init(connection: PostgresConnection, rowsWorthComparing: Int) {
        self.connection = connection
        self.rowsWorthComparing = rowsWorthComparing
    }

    mutating func add(_ row: Row) throws {
        if let last = series.last, last.row.metric != row.row.metric || series.count == Self.batchSize { try settleSeries() }
        series.append(row)
    }

    /// Compares and stages what is left.
    mutating func finish() throws {
        try settleSeries()
        try compareAsked()
        try flush()
    }

    /// A run has ended: a short one is staged as it is; for a longer one, the run before is
    /// compared and this one's stored figures asked for.
    private mutating func settleSeries() throws {
        guard !series.isEmpty else { return }
        if series.count < rowsWorthComparing {
            pending += series
        } else {
            try compareAsked()
            try StoredFigureMatcher.ask(for: series, connection)
            swap(&asked, &series)
        }
        series.removeAll(keepingCapacity: true)
        if pending.count >= Self.batchSize {
            try compareAsked()  // the connection must be free for the COPY
            try flush()
        }
    }

    private mutating func compareAsked() throws {
        guard !asked.isEmpty else { return }
        let outcome = try StoredFigureMatcher.compare(asked, connection)
        pending += outcome.toStage
        provenanceDiffers += outcome.provenanceDiffers
        asked.removeAll(keepingCapacity: true)
    }

    /// Copies the pending rows into the staging table (made at the first), in COPY's binary
    /// format, each with its position in the command, which orders revisions published the same day.
    private mutating func flush() throws {
        guard !pending.isEmpty else { return }
        if !tableCreated {
            try connection.executeScript(
                """
                CREATE TEMP TABLE headway_staging (
                    position bigint, metric text, kind text, period_start date, period_end date, value numeric,
                    qualifier text, source text, published_on date, note text
                ) ON COMMIT DROP
                """)
            tableCreated = true
        }
        stagedRows += try connection.copyIn("COPY pg_temp.headway_staging FROM STDIN (FORMAT binary)", format: .binary) { copy in
            for (position, row) in pending { try copy.writeBinary(row, position: position) }
        }
        pending.removeAll(keepingCapacity: true)
    }
}
