import Foundation
import HeadwayIngest
import HeadwayModel
import HeadwayPostgres

/// Compares rows of a file with the figures stored for them, before anything is staged: a row
/// that a stored revision repeats (same identity, value, qualifier and published_on) is unchanged
/// and needs no merge; only new and differing rows go on to the staging table. A reload or a
/// republished history then sends the server its few changes instead of every row.
///
/// Works on a run of rows of one metric at a time (files come in series): one query reads the
/// metric's stored figures between the run's first and last period, in the identity index's
/// order, in binary format, and the rows are compared with them in memory. The query is sent
/// (`ask`) before it is needed (`compare`), so that the server reads while the client reads on.
/// The loader holds the table's lock throughout, so no other load can store a figure between
/// this comparison and the merge; the merge checks the rows it gets again all the same.
enum StoredFigureMatcher {
    /// A row read from a file, with its position in the command (which orders revisions) and,
    /// once compared, the latest revision stored for its identity (0 if none), which the merge
    /// then need not look up.
    struct Row {
        var position: Int
        var row: ValidatedObservation
        var latestRevision: Int?
    }

    /// What the comparison leaves: the rows to stage, and how many of the others a stored
    /// revision repeats only with another note or source (counted; provenance is not revised).
    struct Outcome {
        var toStage: [Row] = []
        var provenanceDiffers = 0
    }

    /// The most stored figures read for one run; a run whose periods span more is staged whole,
    /// so that memory stays bounded whatever the series.
    static let storedLimit = 50_000

    /// Sends the query for the stored figures of `rows` (one metric's, at least one row).
    static func ask(for rows: [Row], _ connection: PostgresConnection) throws {
        let metric = rows[0].row.metric
        var lowest = Identity(rows[0].row), highest = lowest
        for candidate in rows {
            let identity = Identity(candidate.row)
            lowest = min(lowest, identity)
            highest = max(highest, identity)
        }
        try connection.sendPreparedForBinaryRows(
            """
            SELECT coalesce(period_start, '-infinity'::date), period_end, value, qualifier, published_on, note, source, revision
            FROM headway.observations
            WHERE metric = \(metric)
              AND (coalesce(period_start, '-infinity'::date), period_end) >= (\(lowest.startText)::date, \(lowest.endText)::date)
              AND (coalesce(period_start, '-infinity'::date), period_end) <= (\(highest.startText)::date, \(highest.endText)::date)
            ORDER BY metric, coalesce(period_start, '-infinity'::date), period_end, revision
            LIMIT \(Self.storedLimit + 1)
            """)
    }

    /// Compares `rows` with the stored figures `ask(for: rows)` asked for.
    static func compare(_ rows: [Row], _ connection: PostgresConnection) throws -> Outcome {
        var outcome = Outcome()
        try connection.receiveBinaryRows { stored in
            guard stored.count <= Self.storedLimit else {
                outcome.toStage = rows
                return
            }
            // The stored rows' identities, in order: a row's revisions are found by binary search.
            let identities = (0..<stored.count).map { Identity(stored, row: $0) }
            for candidate in rows.indices {  // by index: a row is not copied to be compared
                let identity = Identity(rows[candidate].row)
                var repeated = false
                var alike = false
                var latest: Int32 = 0
                var index = identities.firstIndex(notBefore: identity)
                while index < identities.count, identities[index] == identity {
                    defer { index += 1 }
                    latest = stored.int32(row: index, column: 7) ?? latest  // revisions come in order
                    guard let value = stored.bytes(row: index, column: 2), rows[candidate].row.value.isEqual(toBinary: value),
                        stored.value(row: index, column: 3, is: rows[candidate].row.qualifier.rawValue),
                        stored.int32(row: index, column: 4) == Identity.postgresDays(rows[candidate].row.publishedOn)
                    else { continue }
                    repeated = true
                    if stored.value(row: index, column: 5, is: rows[candidate].row.note) && stored.value(row: index, column: 6, is: rows[candidate].row.source) {
                        alike = true
                        break
                    }
                }
                if !repeated {
                    outcome.toStage.append(Row(position: rows[candidate].position, row: rows[candidate].row, latestRevision: Int(latest)))
                } else if !alike {
                    outcome.provenanceDiffers += 1
                }
            }
        }
        return outcome
    }

    /// A figure's identity within its metric, in the identity index's order: the period's start
    /// (`-infinity` for a level) and end, as PostgreSQL's binary `date` counts days.
    struct Identity: Comparable {
        var start: Int32
        var end: Int32

        init(_ row: ValidatedObservation) {
            start = row.periodStart.map(Self.postgresDays) ?? Int32.min
            end = Self.postgresDays(row.periodEnd)
        }

        init(_ stored: BinaryRows, row: Int) {
            start = stored.int32(row: row, column: 0) ?? Int32.min
            end = stored.int32(row: row, column: 1) ?? Int32.min
        }

        static func postgresDays(_ date: CivilDate) -> Int32 { Int32(truncatingIfNeeded: date.daysSinceEpoch - 10_957) }

        static func < (a: Self, b: Self) -> Bool { (a.start, a.end) < (b.start, b.end) }

        var startText: String { start == Int32.min ? "-infinity" : Self.text(start) }
        var endText: String { Self.text(end) }

        private static func text(_ days: Int32) -> String { CivilDate(daysSinceEpoch: Int(days) + 10_957).description }
    }
}

extension Array where Element == StoredFigureMatcher.Identity {
    /// The first position whose identity is not before `identity` (the array is in order).
    func firstIndex(notBefore identity: Element) -> Int {
        var (low, high) = (0, count)
        while low < high {
            let middle = (low + high) / 2
            if self[middle] < identity { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
