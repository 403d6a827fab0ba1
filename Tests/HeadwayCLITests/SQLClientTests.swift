import Foundation
import HeadwayPostgres
import HeadwayStore
import TestSupport
import Testing

@testable import HeadwayCLI

/// What SQL clients see (docs/SQL.md): the views answer a reader, every write by a reader fails,
/// the status view says what the JSON report says, and stale rows turn fresh again.
@Suite struct SQLClientTests {
    static let views = [
        "commitment_status", "commitment_series", "observation_current", "status_history", "status_counts", "observation_revisions",
    ]

    /// A database holding the seed document, and a reader login on it.
    struct Seeded {
        let url: String
        let readerURL: String
        let readerName: String
        let admin: PostgresConnection

        init() throws {
            url = try TestDatabase.create()
            let seeds = ResourceLocator.sourceRoot.appendingPathComponent("seeds").path
            let reader = "reader_" + UUID().uuidString.prefix(8).lowercased()
            for arguments in [
                ["apply", "\(seeds)/written-answer-2024-04-05.yaml", "\(seeds)/housing-supply-england.yaml"],
                ["load", "\(seeds)/written-answer-2024-04-05.csv", "\(seeds)/housing-supply-england.csv"],
                ["db", "grant-reader", reader],
            ] {
                try Self.run(arguments, url: url)
            }
            admin = try PostgresConnection(url: url)
            readerURL = TestDatabase.url(url, user: reader)
            readerName = reader
        }

        func run(_ arguments: [String]) throws { try Self.run(arguments, url: url) }

        static func run(_ arguments: [String], url: String) throws {
            var command = try HeadwayCommand.parseAsRoot(arguments + ["--database-url", url])
            try command.run()
        }
    }

    @Test func readerReadsEveryViewAndWritesNothing() throws {
        let seeded = try Seeded()
        let reader = try PostgresConnection(url: seeded.readerURL)
        for view in Self.views {
            let count = try reader.query("SELECT count(*) FROM headway.\(unsafeSQL: view)")[0].decode(Int.self, at: 0)
            #expect(count > 0, "\(view)")
        }
        let before = try TestDatabase.snapshot(seeded.admin)
        let tables = try seeded.admin.query("SELECT tablename FROM pg_tables WHERE schemaname = 'headway'").map { try $0.decode(String.self, at: 0) }
        var attempts: [String] = []
        for table in tables {
            // The events are the one table a reader may read (sql/006): a server may run as a reader.
            if table != "events" { attempts.append("SELECT * FROM headway.\(table)") }
            attempts += [
                "INSERT INTO headway.\(table) DEFAULT VALUES", "UPDATE headway.\(table) SET recorded_at = now()",
                "DELETE FROM headway.\(table)", "TRUNCATE headway.\(table)", "LOCK TABLE headway.\(table) IN SHARE MODE",
                "ALTER TABLE headway.\(table) ADD COLUMN x int", "DROP TABLE headway.\(table)",
            ]
        }
        for view in Self.views {
            attempts += [
                "INSERT INTO headway.\(view) DEFAULT VALUES", "UPDATE headway.\(view) SET status = 'x'", "DELETE FROM headway.\(view)",
                "TRUNCATE headway.\(view)", "DROP VIEW headway.\(view)", "CREATE OR REPLACE VIEW headway.\(view) AS SELECT 1",
                "ALTER VIEW headway.\(view) RENAME TO x",
            ]
        }
        attempts += [
            "CREATE TABLE headway.x (a int)", "CREATE SCHEMA x", "SELECT nextval('headway.assessments_id_seq')",
            "SELECT setval('headway.assessments_id_seq', 1)", "SET ROLE headway_writer", "SET ROLE headway",
            "CREATE ROLE x", "ALTER ROLE headway_reader LOGIN", "GRANT headway_writer TO CURRENT_USER",
            "COPY headway.observations FROM '/etc/passwd'", "COPY (SELECT 1) TO '/tmp/headway-reader-was-here'",
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid()",
            "CREATE EXTENSION IF NOT EXISTS pgcrypto", "COMMENT ON VIEW headway.commitment_status IS 'x'",
            "REFRESH MATERIALIZED VIEW headway.commitment_status",
        ]
        // Even with read-only transactions switched off by hand, privileges hold.
        try reader.execute("SET default_transaction_read_only = off")
        for statement in attempts {
            do {
                try reader.execute(SQLQuery(statement, parameters: []))
                Issue.record("a reader could run: \(statement)")
            } catch let error as PostgresError {
                #expect(error.kind == .server, "\(statement): \(error)")
            }
        }
        #expect(throws: PostgresError.self) {
            try reader.copyIn("COPY headway.observations (metric, kind, period_end, value, published_on) FROM STDIN") { copy in
                try copy.writeRow(["x", "level", "2024-01-01", "1", "2024-01-01"])
            }
        }
        // A GRANT without the right is only a warning from PostgreSQL; it must change nothing.
        for view in Self.views { try reader.execute(SQLQuery("GRANT SELECT ON headway.\(view) TO PUBLIC", parameters: [])) }
        let publicGrants = try seeded.admin.query(
            "SELECT count(*) FROM information_schema.role_table_grants WHERE grantee = 'PUBLIC' AND table_schema = 'headway'")
        #expect(try publicGrants[0].decode(Int.self, at: 0) == 0)
        #expect(try TestDatabase.snapshot(seeded.admin) == before)
        #expect(!FileManager.default.fileExists(atPath: "/tmp/headway-reader-was-here"))
        // Outside schema headway a reader may do what the database lets every role (PUBLIC) do,
        // no more: Headway changes no one else's privileges (docs/SQL.md, "Shared databases").
        let outside = try seeded.admin.query(
            """
            SELECT has_database_privilege(r, current_database(), 'TEMPORARY') = has_database_privilege('public', current_database(), 'TEMPORARY'),
                   has_schema_privilege(r, 'public', 'CREATE') = has_schema_privilege('public', 'public', 'CREATE'),
                   has_function_privilege(r, 'lo_create(oid)', 'EXECUTE') = has_function_privilege('public', 'lo_create(oid)', 'EXECUTE')
            FROM (SELECT \(seeded.readerName)::text AS r) AS reader
            """)[0].values
        #expect(outside == ["t", "t", "t"])
        // Fresh sessions are read-only too, belt and braces.
        let fresh = try PostgresConnection(url: seeded.readerURL)
        #expect(try fresh.query("SHOW default_transaction_read_only")[0].decode(String.self, at: 0) == "on")
    }

    @Test func grantReaderStoresOnlyAVerifierAndRefusesSuperusers() throws {
        let seeded = try Seeded()
        let name = "grafana_" + UUID().uuidString.prefix(8).lowercased()
        let password = "s3cret-\(UUID().uuidString)"
        try LoginGrants(connection: seeded.admin).grant(.reader, to: name, password: password)
        let stored = try seeded.admin.query("SELECT rolpassword FROM pg_authid WHERE rolname = \(name)")[0].decode(String.self, at: 0)
        #expect(stored.hasPrefix("SCRAM-SHA-256$") && !stored.contains(password))
        #expect(throws: HeadwayError.self) { try LoginGrants(connection: seeded.admin).grant(.reader, to: EmbeddedCluster.superuser, password: nil) }
        #expect(throws: HeadwayError.self) { try LoginGrants(connection: seeded.admin).grant(.reader, to: "pg_monitor", password: nil) }
        // A name that needs quoting is quoted, not executed.
        let odd = "odd\"; DROP TABLE headway.observations; --" + UUID().uuidString.prefix(4)
        try LoginGrants(connection: seeded.admin).grant(.reader, to: odd, password: nil)
        #expect(try seeded.admin.query("SELECT count(*) FROM headway.observations")[0].decode(Int.self, at: 0) > 0)
        let member = try seeded.admin.query("SELECT pg_has_role(\(odd), 'headway_reader', 'MEMBER')")[0].decode(Bool.self, at: 0)
        #expect(member)
    }

    @Test func writerLoginAppliesLoadsAndReportsButCannotRewriteHistory() throws {
        let seeded = try Seeded()
        let name = "loader_" + UUID().uuidString.prefix(8).lowercased()
        try LoginGrants(connection: seeded.admin).grant(.writer, to: name, password: nil)
        let writerURL = TestDatabase.url(seeded.url, user: name)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("writer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let csv = directory.appendingPathComponent("more.csv").path
        try "metric,period_start,period_end,value,qualifier,source,published_on,note\ncounty-lines-closures,2022-04,2024-09,3100,at_least,,2024-10-01,\n"
            .write(toFile: csv, atomically: true, encoding: .utf8)
        // A changed title and a new commitment: the state behind the views is the database's to keep.
        let definitions = directory.appendingPathComponent("more.yaml").path
        try """
            commitments:
              - key: more-closures
                title: More closures
                metric: county-lines-closures
                baseline: 2024-04
                target: { change: 500 }
                deadline: 2025-03
            """.write(toFile: definitions, atomically: true, encoding: .utf8)
        let renamed = try Self.renamedSeeds(in: directory)
        for arguments in [
            ["apply", definitions, renamed], ["load", csv], ["report", "--format", "json", "--output", directory.appendingPathComponent("r.json").path],
        ] {
            var command = try HeadwayCommand.parseAsRoot(arguments + ["--database-url", writerURL])
            try command.run()
        }
        let fresh = try seeded.admin.query("SELECT count(*) FROM headway.commitment_status WHERE NOT stale AND title <> ''")[0]
        #expect(try fresh.decode(Int.self, at: 0) == 6)
        let writer = try PostgresConnection(url: writerURL)
        #expect(throws: PostgresError.self) { try writer.execute("UPDATE headway.commitment_state SET status = 'achieved'") }
        #expect(throws: PostgresError.self) { try writer.execute("DELETE FROM headway.observations") }
        #expect(throws: PostgresError.self) { try writer.execute("UPDATE headway.assessments SET status = 'achieved'") }
        #expect(throws: PostgresError.self) { try writer.execute("CREATE TABLE headway.x (a int)") }
    }

    /// The JSON report and headway.commitment_status, for the same as-of, field by field.
    @Test func statusViewHoldsTheJSONReportsNumbers() throws {
        let seeded = try Seeded()
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("report-\(UUID().uuidString).json").path
        // Written through a symlink, which must stay one (as /dev/null must stay a device).
        let link = output + ".link"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: output)
        defer { for path in [output, link] { try? FileManager.default.removeItem(atPath: path) } }
        try seeded.run(["report", "--format", "json", "--output", link])
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == output)
        let compared = try Self.expectViewsHold(try Self.readReport(output), reader: try PostgresConnection(url: seeded.readerURL))
        #expect(compared == 5 * Self.statusFields.count)
    }

    /// The present stays present: reports --as-of past dates, loads and applies in any order,
    /// and every view still says what today's JSON report says; re-running adds no history.
    @Test func historicalReportsNeverReplaceThePresent() throws {
        let seeded = try Seeded()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("present-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let today = directory.appendingPathComponent("today.json").path, past = directory.appendingPathComponent("past.json").path
        let csv = directory.appendingPathComponent("more.csv").path
        try "metric,period_start,period_end,value,qualifier,source,published_on,note\ncounty-lines-closures,2022-04,2024-09,3100,at_least,,2024-10-01,\n"
            .write(toFile: csv, atomically: true, encoding: .utf8)
        let renamed = try Self.renamedSeeds(in: directory)
        let reader = try PostgresConnection(url: seeded.readerURL)
        func history() throws -> [[String?]] {
            try reader.query("SELECT commitment_key, as_of::text, previous_status, status FROM headway.status_history ORDER BY 1, 2").map(\.values)
        }
        let pastReport = ["report", "--format", "json", "--output", past, "--as-of"]
        let steps: [[[String]]] = [
            [pastReport + ["2021-06-01"]],
            [pastReport + ["2024-06-30"], ["load", csv], pastReport + ["2021-06-01"]],
            [["apply", renamed], pastReport + ["2023-01-31"]],
            [pastReport + ["2024-04-30"], pastReport + ["2022-12-31"]],
        ]
        var compared = 0
        for (index, mix) in steps.enumerated() {
            // Today's report first (the last writer of the present), then the mix after it...
            try seeded.run(["report", "--format", "json", "--output", today])
            for arguments in mix { try seeded.run(arguments) }
            // ...which loads and applies re-assess as of today, so today's report is run again where they did.
            if mix.contains(where: { $0[0] != "report" }) {
                try seeded.run(["report", "--format", "json", "--output", today])
                try seeded.run(pastReport + ["2021-06-01"])
            }
            compared += try Self.expectViewsHold(try Self.readReport(today), reader: reader, "step \(index)")
            // Re-running today's report and an old one changes no history.
            let before = try history()
            try seeded.run(["report", "--format", "json", "--output", today])
            try seeded.run(pastReport + ["2021-06-01"])
            #expect(try history() == before, "step \(index)")
        }
        #expect(compared == steps.count * 5 * Self.statusFields.count)
        // The history is changes only, in as-of order, ending at today's status.
        let rows = try history()
        #expect(rows.allSatisfy { $0[2] != $0[3] })
        let firsts = Dictionary(grouping: rows, by: { $0[0]! }).mapValues { $0.first! }
        #expect(firsts.values.allSatisfy { $0[2] == nil })
        let current = try reader.query(
            """
            SELECT s.key, s.status, h.status FROM headway.commitment_status s
            LEFT JOIN LATERAL (SELECT status FROM headway.status_history h WHERE h.commitment_key = s.key ORDER BY as_of DESC LIMIT 1) h ON true
            """)
        #expect(current.count == 5 && current.allSatisfy { $0[1] != nil && $0[1] == $0[2] })
    }

    /// The seed definitions with one commitment's title changed, written in `directory`; returns the path.
    static func renamedSeeds(in directory: URL) throws -> String {
        let path = directory.appendingPathComponent("renamed.yaml").path
        let seeds = ResourceLocator.sourceRoot.appendingPathComponent("seeds/written-answer-2024-04-05.yaml")
        try String(contentsOf: seeds, encoding: .utf8).replacingOccurrences(of: "title: Close over", with: "title: Close more than")
            .write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func readReport(_ path: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
    }

    static let statusFields: [(column: String, path: [String])] = [
        ("status", ["status"]), ("as_of", ["as_of"]), ("kind", ["kind"]), ("unit", ["unit"]), ("metric", ["metric"]), ("title", ["title"]),
        ("baseline_date", ["baseline", "date"]), ("baseline_value", ["baseline", "value"]),
        ("target_value", ["target", "value"]), ("target_progress", ["target", "progress"]), ("comparison", ["target", "comparison"]),
        ("deadline", ["deadline"]), ("latest_date", ["latest", "date"]), ("latest_value", ["latest", "value"]),
        ("latest_qualifier", ["latest", "qualifier"]), ("progress", ["progress"]), ("percent_complete", ["percent_complete"]),
        ("percent_time_elapsed", ["percent_time_elapsed"]), ("achieved_on", ["achieved_on"]), ("days_early", ["days_early"]),
        ("average_per_day", ["pace", "average_per_day"]), ("recent_per_day", ["pace", "recent_per_day"]),
        ("required_per_day", ["pace", "required_per_day"]), ("required_from_now_per_day", ["pace", "required_from_now_per_day"]),
        ("projection_method", ["projection", "method"]), ("value_at_deadline", ["projection", "value_at_deadline"]),
        ("value_at_deadline_low", ["projection", "value_at_deadline_low"]),
        ("value_at_deadline_high", ["projection", "value_at_deadline_high"]),
        ("completion_date", ["projection", "completion_date"]), ("completion_date_low", ["projection", "completion_date_low"]),
        ("completion_date_high", ["projection", "completion_date_high"]), ("schedule_variance_days", ["schedule_variance_days"]),
        ("probability_met", ["probability_met"]), ("target_over", ["target", "over"]),
    ]

    /// Checks commitment_status (field by field, fresh), commitment_series (point by point) and
    /// status_counts against a JSON report; returns how many status fields were compared.
    @discardableResult
    static func expectViewsHold(_ report: [String: Any], reader: PostgresConnection, _ context: String = "") throws -> Int {
        let commitments = try #require(report["commitments"] as? [[String: Any]])
        let columns = statusFields.map { "\($0.column)::text" }.joined(separator: ", ")
        var compared = 0
        for commitment in commitments {
            let key = try #require(commitment["key"] as? String)
            let row = try reader.query("SELECT stale, \(unsafeSQL: columns) FROM headway.commitment_status WHERE key = \(key)")[0]
            #expect(row[0] == "f", "\(context): \(key) is stale")
            for (index, field) in statusFields.enumerated() {
                var value: Any? = commitment
                for step in field.path { value = (value as? [String: Any])?[step] }
                let expected: String? = switch value {
                case let number as NSNumber: Self.canonical(number.stringValue)
                case let text as String: text
                default: nil
                }
                #expect(row[index + 1].map(Self.canonical) == expected, "\(context): \(key).\(field.column)")
                compared += 1
            }
            // The series view has the report's series, point for point.
            let series = try #require(commitment["series"] as? [[String: Any]])
            let rows = try reader.query(
                "SELECT \"time\"::date::text, progress::text, trajectory::text FROM headway.commitment_series WHERE commitment_key = \(key) ORDER BY \"time\"")
            #expect(rows.count == series.count, "\(context): \(key) series")
            for (point, row) in zip(series, rows) {
                #expect(row[0] == point["date"] as? String, "\(context): \(key) series")
                #expect(row[1].map(Self.canonical) == (point["progress"] as? NSNumber).map { Self.canonical($0.stringValue) }, "\(context): \(key)")
                #expect(row[2].map(Self.canonical) == (point["trajectory"] as? NSNumber).map { Self.canonical($0.stringValue) }, "\(context): \(key)")
            }
        }
        // The counts are the report's statuses counted.
        let counts = try reader.query("SELECT status, commitments::text FROM headway.status_counts WHERE tag IS NULL ORDER BY status").map(\.values)
        let statuses = Dictionary(grouping: commitments.compactMap { $0["status"] as? String }, by: { $0 })
        #expect(counts == statuses.keys.sorted().map { [$0, String(statuses[$0]!.count)] }, "\(context): status_counts")
        return compared
    }

    /// "2500.0", "2500" and "2.5e3" are the same number; other text stays as it is.
    static func canonical(_ text: String) -> String {
        guard text.wholeMatch(of: #/-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?/#) != nil, let number = Decimal(string: text) else { return text }
        return "\(number)"
    }

    @Test func rowsGoStaleWhenDataArrivesAndFreshAfterTheNextLoadOrReport() throws {
        let seeded = try Seeded()
        func stale() throws -> [String: Bool] {
            Dictionary(
                uniqueKeysWithValues: try seeded.admin.query("SELECT key, stale FROM headway.commitment_status").map {
                    (try $0.decode(String.self, at: 0), try $0.decode(Bool.self, at: 1))
                })
        }
        #expect(try stale().values.allSatisfy { !$0 })
        // Figures written straight into the table (not by `headway load`) make the closures' rows stale.
        try seeded.admin.execute(
            """
            INSERT INTO headway.observations (metric, kind, period_start, period_end, value, published_on)
            VALUES ('county-lines-closures', 'additive', '2022-04-01', '2024-06-30', 2800, '2024-07-15')
            """)
        let afterInsert = try stale()
        #expect(afterInsert["drugs-strategy-2000-closures"] == true && afterInsert["county-lines-3000-closures-by-august-2024"] == true)
        #expect(afterInsert["rocu-725-extra-officers"] == false)
        try seeded.run(["report"])
        #expect(try stale().values.allSatisfy { !$0 })

        // A load re-assesses what it touched.
        let csv = FileManager.default.temporaryDirectory.appendingPathComponent("stale-\(UUID().uuidString).csv").path
        defer { try? FileManager.default.removeItem(atPath: csv) }
        try "metric,period_start,period_end,value,qualifier,source,published_on,note\ncounty-lines-closures,2022-04,2024-09,3100,at_least,,2024-10-01,\n"
            .write(toFile: csv, atomically: true, encoding: .utf8)
        try seeded.admin.execute(
            "INSERT INTO headway.observations (metric, kind, period_start, period_end, value, published_on) VALUES ('county-lines-closures', 'additive', '2022-04-01', '2024-07-31', 2900, '2024-08-15')")
        #expect(try stale()["drugs-strategy-2000-closures"] == true)
        try seeded.run(["load", csv])
        #expect(try stale().values.allSatisfy { !$0 })

        // A changed definition is stale until assessed again (apply does that itself).
        try seeded.admin.execute("UPDATE headway.commitments SET title = 'Renamed' WHERE key = 'rocu-725-extra-officers'")
        #expect(try stale()["rocu-725-extra-officers"] == true)
    }

    /// Every query in the provisioned dashboard, Grafana's macros expanded, answers a reader with rows.
    @Test func grafanaDashboardQueriesReturnRows() throws {
        let seeded = try Seeded()
        let dashboardURL = ResourceLocator.sourceRoot.appendingPathComponent("grafana/dashboards/headway.json")
        let dashboard = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: dashboardURL)) as? [String: Any])
        let reader = try PostgresConnection(url: seeded.readerURL)
        let keys = try reader.query("SELECT key FROM headway.commitment_status ORDER BY key").map { try $0.decode(String.self, at: 0) }
        let tags = try reader.query("SELECT DISTINCT unnest(tags) FROM headway.commitment_status").map { try $0.decode(String.self, at: 0) }
        func quoted(_ values: [String]) -> String { values.map { "'" + $0.replacingOccurrences(of: "'", with: "''") + "'" }.joined(separator: ",") }
        func expand(_ sql: String) throws -> String {
            var text = sql
            let timeFilter = try Regex(#"\$__timeFilter\(([^)]+)\)"#)
            text = text.replacing(timeFilter) { match in
                "\(match.output[1].substring ?? "") BETWEEN '2000-01-01T00:00:00Z' AND '2100-01-01T00:00:00Z'"
            }
            text = text.replacingOccurrences(of: "$__timeFrom()", with: "'2000-01-01T00:00:00Z'")
            text = text.replacingOccurrences(of: "$__timeTo()", with: "'2100-01-01T00:00:00Z'")
            text = text.replacingOccurrences(of: "$commitment", with: quoted(keys))
            text = text.replacingOccurrences(of: "$tag", with: quoted(tags))
            #expect(!text.contains("$"), "unexpanded macro or variable in: \(sql)")
            return text
        }
        var queries: [String] = []
        for panel in dashboard["panels"] as? [[String: Any]] ?? [] {
            for target in panel["targets"] as? [[String: Any]] ?? [] {
                #expect((target["datasource"] as? [String: Any])?["uid"] as? String == "headway")
                queries.append(try #require(target["rawSql"] as? String))
            }
        }
        let variables = (dashboard["templating"] as? [String: Any])?["list"] as? [[String: Any]] ?? []
        queries += variables.compactMap { $0["query"] as? String }
        #expect(queries.count >= 7)
        for query in queries {
            let rows = try reader.query(SQLQuery(try expand(query), parameters: []))
            #expect(!rows.isEmpty, "no rows from: \(query)")
        }
        // The provisioned datasource is the reader login the compose file creates.
        let datasource = try String(
            contentsOf: ResourceLocator.sourceRoot.appendingPathComponent("grafana/provisioning/datasources/headway.yaml"), encoding: .utf8)
        #expect(datasource.contains("uid: headway") && datasource.contains("user: grafana"))
    }
}
