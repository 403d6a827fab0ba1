import Foundation
import HeadwayModel
import HeadwayPostgres
import HeadwayStore
import TestSupport
import Testing

/// The libpq layer against a real PostgreSQL that the test run starts itself.
@Suite struct PostgresConnectionTests {
    let connection: PostgresConnection

    init() throws {
        connection = try TestDatabase.connect(migrated: false)
        try connection.executeScript("CREATE TABLE items (id int PRIMARY KEY, name text, amount numeric, day date)")
    }

    @Test func interpolatedValuesAreParametersNotSQL() throws {
        let hostile = "'); DROP TABLE items; --"
        let query: SQLQuery = "SELECT \(hostile)::text, \(42), \(unsafeSQL: "'fixed'")"
        #expect(query.sql == "SELECT $1::text, $2, 'fixed'")
        let row = try #require(try connection.query(query).first)
        #expect(try row.decode(String.self, at: 0) == hostile)
        #expect(try row.decode(Int.self, at: 1) == 42)
        #expect(try connection.query("SELECT count(*) FROM items")[0].decode(Int.self, at: 0) == 0)
    }

    @Test func decodesEveryType() throws {
        let row = try #require(
            try connection.query(
                """
                SELECT 'héllo ✓'::text, 9007199254740993::bigint, 123456789012345678901234567890.123456789::numeric,
                       0.1::numeric, -0.5::float8, true, false, DATE '2024-04-05',
                       TIMESTAMPTZ '2024-04-05 10:30:15.25+02', NULL::text, NULL::numeric
                """
            ).first)
        #expect(try row.decode(String.self, at: 0) == "héllo ✓")
        #expect(try row.decode(Int64.self, at: 1) == 9_007_199_254_740_993)
        #expect(try row.decode(Decimal.self, at: 2) == Decimal(string: "123456789012345678901234567890.123456789"))
        #expect(try row.decode(Decimal.self, at: 3) == Decimal(string: "0.1"))
        #expect(try row.decode(Double.self, at: 4) == -0.5)
        #expect(try row.decode(Bool.self, at: 5) == true)
        #expect(try row.decode(Bool.self, at: 6) == false)
        #expect(try row.decode(Date.self, at: 7) == Date(timeIntervalSince1970: 1_712_275_200))
        #expect(try row.decode(Date.self, at: 8) == Date(timeIntervalSince1970: 1_712_305_815.25))
        #expect(try row.decode(String?.self, at: 9) == nil)
        #expect(try row.decode(Decimal?.self, at: 10) == nil)
        #expect(row[9] == nil)
        let nullError = #expect(throws: PostgresError.self) { try row.decode(String.self, at: 9) }
        #expect(nullError?.kind == .decoding)
        #expect(throws: PostgresError.self) { try row.decode(Int.self, at: 0) }
    }

    /// Rows read in place decode each value as a row copied out does, on the fast paths (short
    /// numbers, ISO dates, t/f) and off them (numerics and integers past 18 digits, an exponent),
    /// NULLs and errors included.
    @Test func rowsReadInPlaceDecodeAsRowsCopiedOut() throws {
        enum Precision: String { case day, month }
        let query: SQLQuery = """
            SELECT * FROM (VALUES
                ('héllo ✓'::text, 42::int, -9223372036854775807::bigint, 0.1::numeric, -12.5::numeric,
                 123456789012345678901234567890.123456789::numeric, DATE '2024-02-29', DATE '0044-03-15', true, 'month'),
                ('', -7, 1234567890123456789, 10, 0.000000000000000001, -0.0, DATE '9999-12-31', NULL, false, 'day'),
                (NULL, 0, 0, NULL, 99999999999999999.9, 1e20, DATE '1900-01-01', DATE '2000-01-01', NULL, NULL)
            ) AS t(a, b, c, d, e, f, g, h, i, j)
            """
        // Each row's values decoded, as text to compare: read in place, then copied out.
        func values(_ decode: (Int) throws -> [Any?]) rethrows -> [String] { try (0..<3).map { String(describing: try decode($0)) } }
        let copied = try connection.query(query)
        let expected = try values { row in
            let r = copied[row]
            return [
                try r.decode(String?.self, at: 0), try r.decode(Int.self, at: 1), try r.decode(Int.self, at: 2), try r.decode(Decimal?.self, at: 3),
                try r.decode(Decimal?.self, at: 4), try r.decode(Decimal?.self, at: 5), try r.decode(CivilDate.self, at: 6),
                try r.decode(CivilDate?.self, at: 7), try r.decode(Bool?.self, at: 8), try r.decode(Precision?.self, at: 9),
            ]
        }
        let (inPlace, long, smallest): ([String], Decimal, Int) = try connection.withTextRows(query) { rows in
            #expect(rows.count == 3)
            let described = try values { row in
                [
                    try rows.decode(String?.self, row: row, column: 0), try rows.decode(Int.self, row: row, column: 1),
                    try rows.decode(Int.self, row: row, column: 2), try rows.decode(Decimal?.self, row: row, column: 3),
                    try rows.decode(Decimal?.self, row: row, column: 4), try rows.decode(Decimal?.self, row: row, column: 5),
                    try rows.decode(CivilDate.self, row: row, column: 6), try rows.decode(CivilDate?.self, row: row, column: 7),
                    try rows.decode(Bool?.self, row: row, column: 8), try rows.decode(Precision?.self, row: row, column: 9),
                ]
            }
            let null = #expect(throws: PostgresError.self) { try rows.decode(String.self, row: 2, column: 0) }
            #expect(null?.message == "column a is NULL; expected String")
            #expect(throws: PostgresError.self) { try rows.decode(Int.self, row: 0, column: 0) }
            #expect(throws: PostgresError.self) { try rows.decode(Precision.self, row: 2, column: 9) }
            return (described, try rows.decode(Decimal.self, row: 0, column: 5), try rows.decode(Int.self, row: 0, column: 2))
        }
        #expect(inPlace == expected)
        #expect(long == Decimal(string: "123456789012345678901234567890.123456789"))
        #expect(smallest == -9_223_372_036_854_775_807)
    }

    @Test func decodesByColumnName() throws {
        let row = try connection.query("SELECT 1 AS one, 'two' AS two")[0]
        #expect(try row.decode(Int.self, column: "one") == 1)
        #expect(try row.decode(String.self, column: "two") == "two")
        #expect(throws: PostgresError.self) { try row.decode(Int.self, column: "three") }
    }

    /// A value an enumeration does not name is an error that names the column, never a default.
    @Test func enumerationsDecodeStrictly() throws {
        enum Precision: String { case day, month }
        let row = try #require(try connection.query("SELECT 'month' AS known, 'weekly' AS unknown, NULL::text AS missing").first)
        #expect(try row.decode(Precision.self, column: "known") == .month)
        #expect(try row.decode(Precision?.self, column: "missing") == nil)
        #expect(try row.decode(Precision.self, at: 0) == .month)
        let error = #expect(throws: PostgresError.self) { try row.decode(Precision.self, column: "unknown") }
        #expect(error?.message == "column unknown holds \"weekly\", which is not a known Precision")
        #expect(throws: PostgresError.self) { try row.decode(Precision?.self, at: 1) }
        #expect(throws: PostgresError.self) { try row.decode(Precision.self, column: "missing") }
    }

    /// JSON columns arrive typed: arrays of text keep every separator and refuse NULL elements.
    @Test func jsonColumnsDecodeTyped() throws {
        let row = try #require(
            try connection.query("SELECT to_jsonb(ARRAY['a;b', E'x\\x1fy', '', 'k=v']) AS tags, to_jsonb(ARRAY['a', NULL]) AS holed").first)
        #expect(try row.decode(PostgresJSON<[String]>.self, column: "tags").value == ["a;b", "x\u{1F}y", "", "k=v"])
        #expect(throws: PostgresError.self) { try row.decode(PostgresJSON<[String]>.self, column: "holed") }
    }

    @Test func encodesParametersOfEveryType() throws {
        let amount = Decimal(string: "-1234.5678")!
        try connection.execute("INSERT INTO items VALUES (\(1), \("a\tb\n\"c\\"), \(amount), \("2024-02-29"))")
        try connection.execute("INSERT INTO items VALUES (\(2), \(String?.none), \(Decimal?.none), \(String?.none))")
        let rows = try connection.query("SELECT id, name, amount, day::text FROM items ORDER BY id")
        #expect(try rows[0].decode(String.self, at: 1) == "a\tb\n\"c\\")
        #expect(try rows[0].decode(Decimal.self, at: 2) == amount)
        #expect(try rows[0].decode(String.self, at: 3) == "2024-02-29")
        #expect(rows[1].values.dropFirst().allSatisfy { $0 == nil })
        let array = try connection.query("SELECT \(PostgresTextArray(["x", "y\"z", "back\\slash", ""]))::text[]")[0]
        #expect(try array.decode(String.self, at: 0) == #"{x,"y\"z","back\\slash",""}"#)
    }

    @Test func serverErrorsCarrySQLStateAndFields() throws {
        try connection.execute("INSERT INTO items (id) VALUES (\(7))")
        let error = #expect(throws: PostgresError.self) { try connection.execute("INSERT INTO items (id) VALUES (\(7))") }
        #expect(error?.sqlState == .uniqueViolation)
        #expect(error?.kind == .server)
        #expect(error?.constraint == "items_pkey")
        #expect(error?.table == "items")
        #expect(error?.detail == "Key (id)=(7) already exists.")
        #expect(error?.description.contains("(SQLSTATE 23505)") == true)
        #expect(error?.debugDescription.contains("INSERT INTO items (id) VALUES ($1)") == true)

        let syntax = #expect(throws: PostgresError.self) { try connection.query("SELEC 1") }
        #expect(syntax?.sqlState == .syntaxError)
        do {
            try connection.execute("INSERT INTO items (id) VALUES (\(7))")
        } catch SQLState.uniqueViolation {
            // The ~= pattern matches on SQLSTATE.
        }
        // The connection stays usable after errors.
        #expect(try connection.query("SELECT 1")[0].decode(Int.self, at: 0) == 1)
    }

    /// A prepared statement is prepared once per connection and reused with other values; it
    /// survives a rolled-back transaction; its errors are the server's; past the limit,
    /// statements run unprepared.
    @Test func preparedStatementsArePreparedOnceAndReused() throws {
        func name(_ id: Int) throws -> [Int] {
            try connection.query(SQLQuery("SELECT id FROM items WHERE id = \(id) OR \(id) < 0 ORDER BY id").prepared()).map { try $0.decode(Int.self, at: 0) }
        }
        for id in 1...3 { try connection.execute("INSERT INTO items (id) VALUES (\(id))") }
        #expect(try name(2) == [2] && name(3) == [3] && name(-1) == [1, 2, 3])
        func preparedCount() throws -> Int { try connection.query("SELECT count(*) FROM pg_prepared_statements")[0].decode(Int.self, at: 0) }
        #expect(try preparedCount() == 1)
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            try connection.transaction { connection in
                #expect(try name(1) == [1])
                throw Boom()
            }
        }
        #expect(try name(1) == [1] && preparedCount() == 1)
        let error = #expect(throws: PostgresError.self) { try connection.query(SQLQuery("SELECT nothing FROM items WHERE id = \(1)").prepared()) }
        #expect(error?.sqlState == SQLState("42703") && error?.debugDescription.contains("WHERE id = $1") == true)
        for n in 0..<PostgresConnection.maximumPrepared { _ = try connection.query(SQLQuery("SELECT \(n)::int + \(unsafeSQL: String(n))").prepared()) }
        #expect(try preparedCount() == PostgresConnection.maximumPrepared)
        #expect(try connection.query(SQLQuery("SELECT \(5)::int * 2").prepared())[0].decode(Int.self, at: 0) == 10)
    }

    /// A prepared statement whose table changed shape since (a migration under a running
    /// server) is prepared again, outside a transaction, rather than failing from then on.
    @Test func aPreparedStatementOutlivesAChangeOfItsTable() throws {
        let query = SQLQuery("SELECT * FROM items WHERE id >= \(0) ORDER BY id").prepared()
        try connection.execute("INSERT INTO items (id) VALUES (1)")
        #expect(try connection.columnNames(query) == ["id", "name", "amount", "day"])
        try connection.execute("ALTER TABLE items ADD COLUMN label text DEFAULT 'new'")
        #expect(try connection.columnNames(query) == ["id", "name", "amount", "day", "label"])
        #expect(try connection.query(query)[0].decode(String.self, at: 4) == "new")
        // Inside a transaction it fails once (the transaction is aborted), then is prepared again.
        try connection.execute("ALTER TABLE items DROP COLUMN label")
        #expect(throws: PostgresError.self) { try connection.transaction { try $0.query(query) } }
        #expect(try connection.columnNames(query) == ["id", "name", "amount", "day"])
    }

    /// A statement that failed unseen (its result thrown away unread) aborts the transaction:
    /// the transaction says so rather than committing, which PostgreSQL would turn into a rollback.
    @Test func aTransactionWithAFailureNobodyReadCommitsNothingAndSaysSo() throws {
        #expect(throws: PostgresError.self) {
            try connection.transaction { connection in
                try connection.execute("INSERT INTO items (id) VALUES (50)")
                try connection.sendPreparedForBinaryRows("SELECT 1 / \(0)")  // division by zero, never received
            }
        }
        #expect(try connection.query("SELECT count(*) FROM items")[0].decode(Int.self, at: 0) == 0)
        try connection.transaction { try $0.execute("INSERT INTO items (id) VALUES (51)") }
        #expect(try connection.query("SELECT count(*) FROM items")[0].decode(Int.self, at: 0) == 1)
    }

    @Test func transactionsCommitOrRollBack() throws {
        try connection.transaction { try $0.execute("INSERT INTO items (id) VALUES (1)") }
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            try connection.transaction { connection in
                try connection.execute("INSERT INTO items (id) VALUES (2)")
                throw Boom()
            }
        }
        #expect(throws: PostgresError.self) {
            try connection.transaction { connection in
                try connection.execute("INSERT INTO items (id) VALUES (3)")
                try connection.execute("INSERT INTO items (id) VALUES (1)")  // duplicate: aborts all
            }
        }
        // A nested transaction is a savepoint: its failure undoes only its own work.
        try connection.transaction { connection in
            try connection.execute("INSERT INTO items (id) VALUES (4)")
            _ = try? connection.transaction { try $0.execute("INSERT INTO items (id) VALUES (4)") }
            try connection.execute("INSERT INTO items (id) VALUES (5)")
        }
        let ids = try connection.query("SELECT id FROM items ORDER BY id").map { try $0.decode(Int.self, at: 0) }
        #expect(ids == [1, 4, 5])
    }

    @Test func copyStreamsRowsWithEscaping() throws {
        let copied = try connection.copyIn("COPY items (id, name, amount, day) FROM STDIN") { writer in
            for id in 1...10_000 {
                try writer.writeRow([String(id), id == 1 ? "tab\there\\ and\nnewline" : "n\(id)", "\(id).5", nil])
            }
        }
        #expect(copied == 10_000)
        let row = try connection.query("SELECT name, amount, day FROM items WHERE id = 1")[0]
        #expect(try row.decode(String.self, at: 0) == "tab\there\\ and\nnewline")
        #expect(try row.decode(Decimal.self, at: 1) == Decimal(string: "1.5"))
        #expect(row[2] == nil)
        #expect(try connection.query("SELECT sum(amount) FROM items")[0].decode(Decimal.self, at: 0) == 50_010_000)
    }

    /// Binary COPY stores exactly what the text form would: the same value and display scale
    /// for every decimal, the same dates, text as it is.
    @Test func binaryCopyMatchesTextForEveryDecimalAndDate() throws {
        var decimals = [
            "0", "-0", "0.000", "+7", "1", "-1", "9999", "10000", "10001", "12345678901234567890.0987654321", "0.0001", "0.00001",
            "-0.5", ".5", "5.", "1.50", "3.5e2", "3.50e1", "1e-5", "-2.5E+3", "0e10", "00012.3400", "123456789e-12", "1e99", "-9.99e-99",
        ]
        var random = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let digits = String((0..<Int.random(in: 1...30, using: &random)).map { _ in "0123456789".randomElement(using: &random)! })
            var text = Bool.random(using: &random) ? "-" : ""
            let point = Int.random(in: 0...digits.count, using: &random)
            text += digits.prefix(point) + (point < digits.count || Bool.random(using: &random) ? "." : "") + digits.dropFirst(point)
            if Bool.random(using: &random) { text += "e\(Int.random(in: -40...40, using: &random))" }
            decimals.append(text)
        }
        try connection.execute("CREATE TEMP TABLE binary_copy (source text, value numeric, days text, day date, name text)")
        let copied = try connection.copyIn("COPY binary_copy FROM STDIN (FORMAT binary)", format: .binary) { writer in
            for (index, decimal) in decimals.enumerated() {
                let days = index % 3 == 0 ? nil : index * 97 - 80_000
                writer.beginRow(fields: 5)
                writer.writeBinary(text: decimal)
                try writer.writeBinary(numeric: try DecimalNumber(parsing: decimal))
                writer.writeBinary(text: days.map(String.init))
                writer.writeBinary(daysSince1970: days)
                writer.writeBinary(text: index == 0 ? "tab\there ü 🙂" : nil)
                try writer.endBinaryRow()
            }
        }
        #expect(copied == decimals.count)
        let differing = try connection.query(
            """
            SELECT source, value::text, source::numeric::text FROM binary_copy
            WHERE value::text IS DISTINCT FROM source::numeric::text
               OR day IS DISTINCT FROM date '1970-01-01' + days::integer
            LIMIT 5
            """)
        #expect(differing.isEmpty, "\(differing.map(\.values))")
        #expect(try connection.query("SELECT name FROM binary_copy WHERE source = '0'")[0].decode(String.self, at: 0) == "tab\there ü 🙂")
    }

    /// The one decimal grammar accepts exactly what the server stores (`numeric_in` and the
    /// schema's bound, |value| < 1e100), and what it accepts the binary COPY writes as the text
    /// form would: at the edges of the display scale, the magnitude and Int64.
    @Test func theDecimalGrammarAgreesWithTheServerAtEveryEdge() throws {
        let zeros = { (count: Int) in String(repeating: "0", count: count) }
        let nines = { (count: Int) in String(repeating: "9", count: count) }
        let texts = [
            "0." + zeros(33_000) + "1", "0." + zeros(16_382) + "1", "0." + zeros(16_383) + "1", "1e-100000", "1e-16383", "1e-16384",
            "0e-16383", "0e-16384", "1e100000", "1e99", "1e100", "-" + nines(100), nines(99) + "." + nines(16_383), "9" + zeros(99),
            "-9223372036854775808", "9223372036854775807", "-9223372036854775809", "9.2e18", "-9.3e18", "1e" + nines(30),
            "1e-" + nines(30), "12,5", "1e", "--1", ".", "1.2.3", "١", "NaN", "Infinity",
        ]
        try connection.execute("CREATE TEMP TABLE edges (source text, value numeric CHECK (abs(value) < 1e100))")
        for text in texts {
            let serverAccepts = (try? connection.query("SELECT \(text)::numeric WHERE abs(\(text)::numeric) < 1e100").count == 1) ?? false
            let parsed = try? DecimalNumber(parsing: text)
            #expect((parsed != nil) == serverAccepts, "\(text.prefix(30))…\(text.suffix(10)): grammar \(parsed != nil), server \(serverAccepts)")
            guard let parsed else { continue }
            try connection.copyIn("COPY edges FROM STDIN (FORMAT binary)", format: .binary) { writer in
                writer.beginRow(fields: 2)
                writer.writeBinary(text: text)
                try writer.writeBinary(numeric: parsed)
                try writer.endBinaryRow()
            }
        }
        let differing = try connection.query("SELECT left(source, 40) FROM edges WHERE value::text IS DISTINCT FROM source::numeric::text")
        #expect(differing.isEmpty, "\(differing.map(\.values))")
    }

    @Test func copyReportsBadDataAndWritesNothing() throws {
        let error = #expect(throws: PostgresError.self) {
            try connection.copyIn("COPY items (id, name) FROM STDIN") { writer in
                try writer.writeRow(["1", "fine"])
                try writer.writeRow(["not a number", "bad"])
            }
        }
        #expect(error?.sqlState == .invalidTextRepresentation)
        struct Interrupted: Error {}
        #expect(throws: Interrupted.self) {
            try connection.copyIn("COPY items (id, name) FROM STDIN") { writer in
                try writer.writeRow(["2", "fine"])
                throw Interrupted()
            }
        }
        #expect(try connection.query("SELECT count(*) FROM items")[0].decode(Int.self, at: 0) == 0)
        let notCopy = #expect(throws: PostgresError.self) { try connection.copyIn("COPY nowhere FROM STDIN") { _ in } }
        #expect(notCopy?.sqlState == .undefinedTable)
    }

    @Test func forEachRowStreamsLargeResultsInBatches() throws {
        var count = 0
        var sum = 0
        try connection.forEachRowInBatches("SELECT g FROM generate_series(1, \(50_000)) g WHERE g > \(0)", batchSize: 7_000) { row in
            count += 1
            sum += try row.decode(Int.self, at: 0)
        }
        #expect(count == 50_000)
        #expect(sum == 1_250_025_000)
        #expect(throws: PostgresError.self) { try connection.forEachRowInBatches("SELECT 1/0") { _ in } }
        struct Stop: Error {}
        #expect(throws: Stop.self) { try connection.forEachRowInBatches("SELECT 1") { _ in throw Stop() } }
        // Stopping in a full batch, while the next one is already asked for; and an exact multiple.
        #expect(throws: Stop.self) {
            try connection.forEachRowInBatches("SELECT g FROM generate_series(1, 100) g", batchSize: 10) { row in
                if try row.decode(Int.self, at: 0) == 15 { throw Stop() }
            }
        }
        var exact = 0
        try connection.forEachRowInBatches("SELECT g FROM generate_series(1, 30) g", batchSize: 10) { _ in exact += 1 }
        #expect(exact == 30)
        // The cursor is gone and the connection usable, after success and after failure.
        #expect(try connection.query("SELECT 1")[0].decode(Int.self, at: 0) == 1)
        var two = 0
        try connection.forEachRowInBatches("SELECT 2") { two = try $0.decode(Int.self, at: 0) }
        #expect(two == 2)
    }

    @Test func binaryRowsComeFromAStatementPreparedOnceAndAnUnreadResultIsThrownAway() throws {
        try connection.executeScript(
            "INSERT INTO items VALUES (1, 'one', 10.50, '2000-01-02'), (2, NULL, -0.0001, NULL), (3, 'three', 0, '-infinity')")
        for id in [1, 2, 3] {
            try connection.sendPreparedForBinaryRows("SELECT name, amount, day FROM items WHERE id = \(id)")
            try connection.receiveBinaryRows { rows in
                #expect(rows.count == 1)
                #expect(rows.value(row: 0, column: 0, is: ["one", nil, "three"][id - 1]))
                #expect(!rows.value(row: 0, column: 0, is: "on"))
                let amount = try! DecimalNumber(parsing: ["10.5", "-1e-4", "0.000"][id - 1])
                #expect(amount.isEqual(toBinary: rows.bytes(row: 0, column: 1)!))
                #expect(!(try! DecimalNumber(parsing: "10.51")).isEqual(toBinary: rows.bytes(row: 0, column: 1)!))
                #expect(rows.int32(row: 0, column: 2) == [1, nil, Int32.min][id - 1])  // days since 2000-01-01
            }
        }
        #expect(try connection.query("SELECT count(*) FROM pg_prepared_statements")[0].decode(Int.self, at: 0) == 1)
        // Sent and never received: the next statement still gets its own result.
        try connection.sendPreparedForBinaryRows("SELECT name, amount, day FROM items WHERE id = \(1)")
        #expect(try connection.query("SELECT 7")[0].decode(Int.self, at: 0) == 7)
        #expect(throws: PostgresError.self) { try connection.receiveBinaryRows { _ in } }
    }

    @Test func cursorsNestAndACopyOutsideCopyInEndsWithAnError() throws {
        // A cursor read inside another's rows, on one connection, with batches asked for ahead.
        var pairs: [String] = []
        try connection.forEachRowInBatches("SELECT g FROM generate_series(1, 5) g", batchSize: 2) { outer in
            let a = try outer.decode(Int.self, at: 0)
            try connection.forEachRowInBatches("SELECT g FROM generate_series(1, \(a)) g", batchSize: 2) { inner in
                pairs.append("\(a).\(try inner.decode(Int.self, at: 0))")
            }
            #expect(try connection.query("SELECT \(a) + 1")[0].decode(Int.self, at: 0) == a + 1)
        }
        #expect(pairs.count == 15 && pairs.first == "1.1" && pairs.last == "5.5")
        // COPY through query, execute or a script: an error, and the connection still works.
        for attempt in [
            { _ = try self.connection.query("COPY items FROM STDIN") }, { _ = try self.connection.query("COPY items TO STDOUT") },
            { try self.connection.executeScript("SELECT 1; COPY items TO STDOUT; SELECT 2") },
            { try self.connection.executeScript("COPY items FROM STDIN") },
        ] {
            let error = #expect(throws: PostgresError.self) { try attempt() }
            #expect(error?.message.contains("only copyIn") == true, "\(String(describing: error))")
            #expect(try connection.query("SELECT 1")[0].decode(Int.self, at: 0) == 1)
        }
    }

    @Test func noticesDoNotReachStderrAndSessionIsPinned() throws {
        try connection.executeScript("DO $$ BEGIN RAISE NOTICE 'quiet please'; END $$")
        let settings = try connection.query("SELECT current_setting('TimeZone'), current_setting('DateStyle'), current_setting('client_encoding')")[0]
        #expect(settings.values == ["UTC", "ISO, MDY", "UTF8"])
        // A URL's own client_encoding, DateStyle and TimeZone give way to the pins.
        let url = try TestDatabase.cluster().url
        for own in ["client_encoding=LATIN1", "options='-c client_encoding=LATIN1 -c DateStyle=German -c TimeZone=Asia/Tokyo'"] {
            let other = try PostgresConnection(url: "\(try DatabaseURL.options(url).map { "\($0.keyword)='\($0.value)'" }.joined(separator: " ")) \(own)")
            let pinned = try other.query("SELECT current_setting('TimeZone'), current_setting('DateStyle'), current_setting('client_encoding'), 'é'::text")[0]
            #expect(pinned.values == ["UTC", "ISO, MDY", "UTF8", "é"], "\(own)")
        }
    }
}

@Suite struct ConnectionFailureTests {
    @Test func refusedConnectionSaysSoWithoutThePassword() throws {
        let error = #expect(throws: PostgresError.self) {
            try PostgresConnection(url: "postgresql://someone:hunter2@127.0.0.1:1/nothing?connect_timeout=2")
        }
        #expect(error?.kind == .connection)
        #expect(error?.description.contains("no database server is listening there") == true)
        #expect(error?.description.contains("hunter2") == false)
    }

    @Test func wrongDatabaseIsNamed() throws {
        let cluster = try TestDatabase.cluster()
        let url = cluster.url.replacingOccurrences(of: "/headway?", with: "/no_such_db?")
        let error = #expect(throws: PostgresError.self) { try PostgresConnection(url: url) }
        #expect(error?.description.contains("does not exist") == true)
    }

    /// Every spelling of a password libpq accepts is masked, because libpq itself parses it.
    static let passwordSpellings: [(url: String, shown: String)] = [
        ("postgresql://u:p%40ss@h:5432/db", "postgresql://u:***@h:5432/db"),
        ("postgres://u@h/db?password=secret&sslmode=require", "postgres://u:***@h/db?sslmode=require"),
        ("postgresql://u@h/db?password=s%65cret", "postgresql://u:***@h/db"),
        ("postgresql://:secret@h1:5432,h2:5433/db", "postgresql://:***@/db?host=h1,h2&port=5432,5433"),
        (#"host=h password='it\'s secret' dbname=x"#, "password=*** dbname=x host=h"),
        ("host=h password=plain dbname=x", "password=*** dbname=x host=h"),
        ("host=h password = secret dbname=x", "password=*** dbname=x host=h"),
        ("host=h password= 'sec ret' dbname='my db'", "password=*** dbname='my db' host=h"),
        ("password\t=\tsecret host=h", "password=*** host=h"),
        ("postgresql:///headway?host=/tmp/run", "postgresql:///headway?host=/tmp/run"),
        ("headway", "dbname=headway"),
    ]

    @Test func redactsPasswordsInEveryForm() throws {
        for (url, shown) in Self.passwordSpellings {
            #expect(DatabaseURL.redacted(url) == shown, "\(url)")
            if let password = DatabaseURL.password(url) { #expect(!DatabaseURL.redacted(url).contains(password)) }
        }
        // Free text (an error message) masks the known secret in every spelling, and the patterns.
        #expect(DatabaseURL.redactingSecrets(in: "bad p@ss and p%40ss", secrets: ["p@ss"]) == "bad *** and ***")
        #expect(DatabaseURL.redactingSecrets(in: "dsn: host=h password = hunter2") == "dsn: host=h password =***")
        // A string libpq cannot read is not shown, and its parse error does not quote it.
        #expect(DatabaseURL.redacted("host=h passwordhunter2") == "(a connection string libpq cannot read)")
        #expect(throws: DatabaseURL.ParseError.self) { try DatabaseURL.options("host=h passwordhunter2") }
        #expect((try? DatabaseURL.options("host=h passwordhunter2")) == nil)
        do {
            _ = try DatabaseURL.options("host=h passwordhunter2")
        } catch {
            #expect(!"\(error)".contains("hunter2") && "\(error)".contains("missing \"=\""), "\(error)")
        }
    }

    @Test func connectionErrorsNeverShowThePasswordInAnySpelling() throws {
        for url in [
            "host=127.0.0.1 port=1 connect_timeout=2 password = 'hunter2 x'", "postgresql://u:hunter2@127.0.0.1:1/db?connect_timeout=2",
            "postgresql://u@127.0.0.1:1/db?connect_timeout=2&password=hunter2", "host=127.0.0.1 port=1 passwordhunter2",
            "host=127.0.0.1 port=1 password='hunter2",
        ] {
            let error = #expect(throws: PostgresError.self) { try PostgresConnection(url: url) }
            #expect(error?.kind == .connection)
            #expect(error?.description.contains("hunter2") == false, "\(error?.description ?? "")")
            #expect(error?.description.contains("headway db start") == false)
        }
    }
}
