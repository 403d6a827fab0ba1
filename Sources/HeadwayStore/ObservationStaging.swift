import Foundation
import HeadwayIngest
import HeadwayModel
import HeadwayPostgres

/// The staging table of a load that merges, and the rows on their way to it: each run of one
/// metric's rows is first compared with its stored figures (`StoredFigureMatcher`), and only the
/// rows that are new or differ are staged, in batches, for the merge. Short runs (a file by
/// period) are first grouped by metric in a window of rows. Runs are asked for in batches of
/// about `batchSize` rows, one query each; a batch is compared when the next one is asked for,
/// so that the server reads stored figures while the client reads the file.
struct ObservationStaging {
    typealias Row = StoredFigureMatcher.Row

    let connection: PostgresConnection
    /// The fewest rows of one metric worth reading their stored figures for: below it, staging
    /// them costs less.
    let rowsWorthComparing: Int
    private(set) var stagedRows = 0
    /// Staged rows that were not compared, whose stored revisions the merge looks up.
    private(set) var uncomparedRows = 0
    /// Rows a stored figure repeats with another note or source.
    private(set) var provenanceDiffers = 0
    private var tableCreated = false
    /// Short runs read, not grouped by metric yet.
    private var window: [Row] = []
    static let windowSize = 20_000
    /// Consecutive rows of one metric, being read.
    private var series: [Row] = []
    /// Runs to compare, not asked for yet.
    private var forming = StoredFigureMatcher.Batch()
    /// The batch before, whose stored figures were asked for.
    private var asked = StoredFigureMatcher.Batch()
    /// Rows to stage, not sent yet.
    private var pending: [Row] = []
    /// Bounds on the lists (a run longer than this is compared in parts), which bound the memory
    /// a load uses whatever its rows hold: 2,000 rows with notes of 600 bytes are about 1.5 MiB.
    static let batchSize = 2_000
    /// The days the runs of the batch asked for span.
    private var askedDays = 0
    /// The stored figures read so far, and the days their runs spanned: how many stored figures
    /// a day of the file's periods holds.
    private var storedRead = 0
    private var daysRead = 0
    /// An index probe (the merge's, for a row not compared) costs about as much as reading this
    /// many stored figures for a comparison.
    static let probeCost = 3.0
    /// Whether every row so far came in the identity index's order: each metric's rows together,
    /// their periods rising, so no identity twice (the merge then need not look for repeats).
    private(set) var identitiesAreUnique = true
    private var metricsEnded: Set<String> = []
    private var previous: (metric: String, identity: StoredFigureMatcher.Identity)?

    init(connection: PostgresConnection, rowsWorthComparing: Int) {
        self.connection = connection
        self.rowsWorthComparing = rowsWorthComparing
    }

    mutating func add(_ row: Row) throws {
        if identitiesAreUnique { noteOrder(of: row.row) }
        if let last = series.last, last.row.metric != row.row.metric || series.count == Self.batchSize { try endSeries() }
        series.append(row)
    }

    /// A run of one metric's rows has ended: a long one is settled at once; a short one waits in
    /// the window for more of its metric's rows, as a file by period (every metric's figure for
    /// one month, then the next month's) gives runs of one row.
    private mutating func endSeries() throws {
        if series.count >= rowsWorthComparing { return try settleSeries() }
        window += series
        series.removeAll(keepingCapacity: true)
        if window.count >= Self.windowSize { try settleWindow() }
    }

    /// Settles the window's rows as runs, one per metric (each metric's rows in the file's order).
    private mutating func settleWindow() throws {
        var groups: [[Row]] = []
        var groupOf: [String: Int] = [:]
        for row in window {
            if let group = groupOf[row.row.metric] {
                groups[group].append(row)
            } else {
                groupOf[row.row.metric] = groups.count
                groups.append([row])
            }
        }
        window.removeAll(keepingCapacity: true)
        for group in groups {
            for start in stride(from: 0, to: group.count, by: Self.batchSize) {
                series = Array(group[start..<min(start + Self.batchSize, group.count)])
                try settleSeries()
            }
        }
    }

    private mutating func noteOrder(of row: ValidatedObservation) {
        let identity = StoredFigureMatcher.Identity(row)
        if let previous, previous.metric == row.metric {
            identitiesAreUnique = previous.identity < identity
        } else if let previous {
            metricsEnded.insert(previous.metric)
            identitiesAreUnique = !metricsEnded.contains(row.metric)
        }
        previous = (row.metric, identity)
    }

    /// Compares and stages what is left.
    mutating func finish() throws {
        try endSeries()
        try settleWindow()
        if !forming.isEmpty { try askForming() }
        try compareAsked()
        try flush()
    }

    /// A run has ended: a short one is staged as it is, a longer one joins the batch to compare.
    private mutating func settleSeries() throws {
        guard !series.isEmpty else { return }
        if series.count < rowsWorthComparing {
            pending += series
        } else {
            forming.append(run: series)
            // The first run is asked for alone: what it reads tells how to treat the next batches.
            if forming.rows.count >= Self.batchSize || (daysRead == 0 && asked.isEmpty) { try askForming() }
        }
        series.removeAll(keepingCapacity: true)
        if pending.count >= Self.batchSize {
            try compareAsked()  // the connection must be free for the COPY
            try flush()
        }
    }

    /// Compares the batch asked for before, and asks for the one formed; unless the figures read
    /// so far say that its runs span many more stored figures than they have rows (a file of
    /// revisions): reading them all would cost more than the merge's probe for each row, and the
    /// rows are staged as they are.
    private mutating func askForming() throws {
        try compareAsked()
        let days = forming.days
        if daysRead > 0, Double(storedRead) / Double(daysRead) * Double(days) > Self.probeCost * Double(forming.rows.count) {
            pending += forming.rows
            forming.removeAll()
            return
        }
        try StoredFigureMatcher.ask(for: forming, connection)
        askedDays = days
        swap(&asked, &forming)
        forming.removeAll()
    }

    private mutating func compareAsked() throws {
        guard !asked.isEmpty else { return }
        let outcome = try StoredFigureMatcher.compare(asked, connection)
        storedRead += outcome.storedRead
        daysRead += askedDays
        pending += outcome.toStage
        provenanceDiffers += outcome.provenanceDiffers
        asked.removeAll()
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
                    qualifier text, source text, published_on date, note text, stored_latest bigint
                ) ON COMMIT DROP
                """)
            tableCreated = true
        }
        stagedRows += try connection.copyIn("COPY pg_temp.headway_staging FROM STDIN (FORMAT binary)", format: .binary) { copy in
            for row in pending { try copy.writeBinary(staged: row) }
        }
        uncomparedRows += pending.count { $0.latestRevision == nil }
        pending.removeAll(keepingCapacity: true)
    }
}
