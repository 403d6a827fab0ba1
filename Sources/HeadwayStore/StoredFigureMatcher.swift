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
/// order, in binary format, and the rows are compared with them in memory. The loader holds the
/// table's lock throughout, so no other load can store a figure between this comparison and the
/// merge; the merge checks the rows it gets again all the same.
struct StoredFigureMatcher {
    /// A row read from a file, with its position in the command (which orders revisions).
    typealias Row = (position: Int, row: ValidatedObservation)

    /// What the comparison leaves: the rows to stage, and how many of the others a stored
    /// revision repeats only with another note or source (counted; provenance is not revised).
    struct Outcome {
        var toStage: [Row] = []
        var provenanceDiffers = 0
    }

    /// The most stored figures read for one run; a run whose periods span more is staged whole,
    /// so that memory stays bounded whatever the series.
    static let storedLimit = 50_000

    let connection: PostgresConnection

    /// Compares `rows`, all of metric `metric`.
    func compare(_ rows: ArraySlice<Row>, metric: String) throws -> Outcome {
        var outcome = Outcome()
        guard let first = rows.first else { return outcome }
        var lowest = Identity(first.row), highest = lowest
        for (_, row) in rows {
            let identity = Identity(row)
            lowest = min(lowest, identity)
            highest = max(highest, identity)
        }
        let query: SQLQuery = """
            SELECT coalesce(period_start, '-infinity'::date), period_end, value, qualifier, published_on, note, source
            FROM headway.observations
            WHERE metric = \(metric)
              AND (coalesce(period_start, '-infinity'::date), period_end) >= (\(lowest.startText)::date, \(lowest.endText)::date)
              AND (coalesce(period_start, '-infinity'::date), period_end) <= (\(highest.startText)::date, \(highest.endText)::date)
            ORDER BY metric, coalesce(period_start, '-infinity'::date), period_end, revision
            LIMIT \(Self.storedLimit + 1)
            """
        try connection.withBinaryRows(query) { stored in
            guard stored.count <= Self.storedLimit else {
                outcome.toStage = Array(rows)
                return
            }
            // Where each identity's revisions are among the stored rows (they come together).
            var revisions: [Identity: Range<Int>] = [:]
            var start = 0
            while start < stored.count {
                let identity = Identity(stored, row: start)
                var end = start + 1
                while end < stored.count, Identity(stored, row: end) == identity { end += 1 }
                revisions[identity] = start..<end
                start = end
            }
            for candidate in rows {
                let row = candidate.row
                var repeated = false
                var alike = false
                for index in revisions[Identity(row)] ?? 0..<0 {
                    guard let value = stored.bytes(row: index, column: 2), row.value.isEqual(toBinary: value),
                        stored.value(row: index, column: 3, is: row.qualifier.rawValue),
                        stored.int32(row: index, column: 4) == Identity.postgresDays(row.publishedOn)
                    else { continue }
                    repeated = true
                    if stored.value(row: index, column: 5, is: row.note) && stored.value(row: index, column: 6, is: row.source) {
                        alike = true
                        break
                    }
                }
                if !repeated {
                    outcome.toStage.append(candidate)
                } else if !alike {
                    outcome.provenanceDiffers += 1
                }
            }
        }
        return outcome
    }

    /// A figure's identity within its metric, in the identity index's order: the period's start
    /// (`-infinity` for a level) and end, as PostgreSQL's binary `date` counts days.
    struct Identity: Hashable, Comparable {
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
