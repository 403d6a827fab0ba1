import CLibPQ
import Foundation
import Logging

/// One connection to PostgreSQL through libpq.
///
/// Confined to one task or thread at a time: libpq connections are not thread-safe, so this
/// type is deliberately not `Sendable`. Every statement is parameterized (`SQLQuery`); scripts
/// with several statements (migrations) go through `executeScript`.
/// See https://www.postgresql.org/docs/current/libpq.html.
public final class PostgresConnection {
    let handle: OpaquePointer
    private let noticeSink: NoticeSink
    private var transactionDepth = 0
    /// Cursors get names of their own, so one may be read inside another.
    private var cursorCount = 0
    /// How `row_to_json` writes each type met so far (by oid; an oid never names another type).
    var jsonKinds: [UInt32: JSONRowWriter.Kind] = [:]
    /// A cursor's next batch, asked for ahead and not received yet (its cursor number), and
    /// batches received early because another statement needed the connection meanwhile.
    private var fetchInFlight: Int?
    private var fetchedEarly: [Int: Result<OpaquePointer, any Error>] = [:]
    /// Statements prepared on this connection (`SQLQuery.prepared()`), by SQL text: their names.
    private var preparedNames: [String: String] = [:]
    private var preparedCount = 0
    /// At most this many: a statement past them is planned each time, as any other.
    public static let maximumPrepared = 64
    /// A query sent by `sendPreparedForBinaryRows` whose result is not received yet.
    private var unreadResult: SQLQuery?
    public let logger: Logger

    /// Connects with a URL (`postgresql://…`) or a keyword/value conninfo string.
    ///
    /// The string is passed to `PQconnectdbParams` as an expanded `dbname`, never spliced into
    /// another conninfo. Its own keywords may change the timeout and application name, but not
    /// what every decoder here assumes: the session is pinned to UTF-8, ISO dates and UTC after them.
    /// - Throws: `PostgresError` of kind `.connection`, whose message names the cause and never the password.
    public init(url: String, applicationName: String = "headway", logger: Logger = Logger(label: "headway.postgres")) throws {
        self.logger = logger
        let password: String?
        do {
            password = try DatabaseURL.options(url).first { $0.keyword == "password" }?.value
        } catch {
            throw PostgresError(kind: .connection, message: "could not connect to the database: the URL is \(error)")
        }
        // Later keywords override earlier ones: defaults before the expanded URL, pins after it.
        let keywords = ["connect_timeout", "application_name", "dbname", "client_encoding"]
        let values = ["10", applicationName, url, "UTF8"]
        let connection = withCStrings(keywords) { keywordPointers in
            withCStrings(values) { valuePointers in
                PQconnectdbParams(keywordPointers, valuePointers, 1)
            }
        }
        guard let connection else {
            throw PostgresError(kind: .connection, message: "could not connect to the database: out of memory")
        }
        handle = connection
        noticeSink = NoticeSink(logger: logger)
        guard PQstatus(connection) == CONNECTION_OK else {
            let reason = String(cString: PQerrorMessage(connection))
            // deinit calls PQfinish, which libpq requires even after a failed connection.
            throw PostgresError(kind: .connection, message: Self.describeConnectionFailure(reason, secrets: password.map { [$0] } ?? []))
        }
        PQsetNoticeReceiver(connection, noticeReceiver, Unmanaged.passUnretained(noticeSink).toOpaque())
        // A URL's `options=-c client_encoding=…` reaches the server too: set the pins once more.
        try executeScript("SET client_encoding = 'UTF8'; SET DateStyle = 'ISO, MDY'; SET TimeZone = 'UTC'; SET IntervalStyle = iso_8601")
    }

    deinit {
        for case .success(let result) in fetchedEarly.values { PQclear(result) }
        PQfinish(handle)
    }

    /// Whether the connection is still up: false once the server has gone away, after which
    /// every statement fails and the connection should be replaced.
    public var isConnected: Bool { PQstatus(handle) == CONNECTION_OK }

    /// The server's version number, e.g. 150018.
    public var serverVersion: Int { Int(PQserverVersion(handle)) }

    /// The password as the server stores it (a SCRAM verifier, or MD5 on old servers), computed
    /// here as psql's `\password` does, so the clear text never reaches the server or its logs.
    public func encryptedPassword(_ password: String, user: String) throws -> String {
        settleFetchAhead()  // libpq may ask the server for its password_encryption
        guard let encrypted = PQencryptPasswordConn(handle, password, user, nil) else { throw clientError(sql: nil) }
        defer { PQfreemem(encrypted) }
        return String(cString: encrypted)
    }

    /// Runs a query and returns all its rows.
    public func query(_ query: SQLQuery) throws -> [PostgresRow] {
        let result = try run(query)
        defer { PQclear(result) }
        return rowsOf(result)
    }

    /// Runs a query and hands `body` its rows read in place (`TextRows`): for rows decoded once,
    /// as a server does for every request, without a string made per value first.
    public func withTextRows<T>(_ query: SQLQuery, _ body: (TextRows) throws -> T) throws -> T {
        let result = try run(query)
        defer { PQclear(result) }
        return try body(TextRows(result: result))
    }

    /// Sends a query, prepared once per connection (its text names it: a statement run many
    /// times is planned once), for rows in PostgreSQL's binary format; the server works on it
    /// while the caller does something else, until `receiveBinaryRows`. A result not received
    /// before the next statement is thrown away.
    public func sendPreparedForBinaryRows(_ query: SQLQuery) throws {
        try send(query.prepared(), binaryRows: true)
        unreadResult = query
    }

    /// Hands `body` the rows of the query `sendPreparedForBinaryRows` sent, read in place: for
    /// rows the client only compares, no string is made for each value.
    public func receiveBinaryRows<T>(_ body: (BinaryRows) throws -> T) throws -> T {
        guard let query = unreadResult else { throw PostgresError(kind: .client, message: "no query was sent for binary rows") }
        unreadResult = nil
        let result = try receive(query)
        defer { PQclear(result) }
        return try body(BinaryRows(result: result))
    }

    /// Runs a query and returns the names of its columns, which a result has even without rows.
    public func columnNames(_ query: SQLQuery) throws -> [String] {
        let result = try run(query)
        defer { PQclear(result) }
        return columnsOf(result).names
    }

    /// Runs a statement and returns the number of rows it affected.
    @discardableResult
    public func execute(_ query: SQLQuery) throws -> Int {
        let result = try run(query)
        defer { PQclear(result) }
        return Int(String(cString: PQcmdTuples(result))) ?? 0
    }

    /// Runs one or more statements with no parameters (a migration file).
    public func executeScript(_ sql: String) throws {
        settleFetchAhead()
        guard PQsendQuery(handle, sql) == 1 else { throw clientError(sql: nil) }
        var failure: PostgresError?
        while let result = PQgetResult(handle) {
            let status = PQresultStatus(result)
            if let copyFailure = endUnexpectedCopy(result, sql: sql) {
                failure = failure ?? copyFailure
            } else if failure == nil, status != PGRES_COMMAND_OK, status != PGRES_TUPLES_OK, status != PGRES_EMPTY_QUERY {
                failure = serverError(result, sql: sql)
            }
            PQclear(result)
        }
        if let failure { throw failure }
    }

    /// Runs `body` in a transaction (a savepoint when nested): committed when it returns,
    /// rolled back when it throws.
    /// `begin` starts the outermost one (`BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY`, say).
    @discardableResult
    public func transaction<T>(begin: String = "BEGIN", _ body: (PostgresConnection) throws -> T) throws -> T {
        let savepoint = "headway_savepoint_\(transactionDepth)"
        try executeScript(transactionDepth == 0 ? begin : "SAVEPOINT \(savepoint)")
        transactionDepth += 1
        defer { transactionDepth -= 1 }
        do {
            let value = try body(self)
            settleFetchAhead()
            // A failed statement whose error nobody saw (a result thrown away unread) leaves the
            // transaction aborted, and COMMIT would then roll it back without an error.
            guard PQtransactionStatus(handle) != PQTRANS_INERROR else {
                throw PostgresError(kind: .client, message: "a statement in the transaction failed unseen; nothing was committed")
            }
            try executeScript(transactionDepth == 1 ? "COMMIT" : "RELEASE SAVEPOINT \(savepoint)")
            return value
        } catch {
            let undo = transactionDepth == 1 ? "ROLLBACK" : "ROLLBACK TO SAVEPOINT \(savepoint); RELEASE SAVEPOINT \(savepoint)"
            try? executeScript(undo)
            throw error
        }
    }

    /// Runs `body` in a transaction, retrying it when PostgreSQL reports a serialization
    /// failure or a deadlock (it asks clients to retry those), up to `attempts` times.
    public func retryingTransaction<T>(attempts: Int = 8, _ body: (PostgresConnection) throws -> T) throws -> T {
        var attempt = 1
        while true {
            do {
                return try transaction(body)
            } catch let error as PostgresError where error.sqlState?.isTransient == true && attempt < attempts {
                logger.debug("retrying transaction after \(error.sqlState?.code ?? "")")
                attempt += 1
                usleep(UInt32.random(in: 1_000...20_000) * UInt32(attempt))
            }
        }
    }

    /// Streams rows into `COPY … FROM STDIN` and returns how many were copied.
    ///
    /// `body` writes rows through the `CopyWriter`, in COPY's text format, or in its binary
    /// format when `sql` says `(FORMAT binary)` and `format` is `.binary` (the header and trailer
    /// are written here). If `body` throws, the COPY is aborted and the error rethrown.
    /// See https://www.postgresql.org/docs/current/libpq-copy.html.
    @discardableResult
    public func copyIn(_ sql: String, format: CopyWriter.Format = .text, _ body: (inout CopyWriter) throws -> Void) throws -> Int {
        settleFetchAhead()
        let start = PQexec(handle, sql)
        let startStatus = PQresultStatus(start)
        if startStatus != PGRES_COPY_IN {
            defer { PQclear(start) }
            throw start.map { serverError($0, sql: sql) } ?? clientError(sql: sql)
        }
        PQclear(start)
        var writer = CopyWriter(handle: handle, format: format)
        var bodyError: (any Error)?
        do {
            try body(&writer)
            writer.finish()
            try writer.flush()
        } catch {
            bodyError = error
        }
        let endStatus = bodyError == nil ? PQputCopyEnd(handle, nil) : PQputCopyEnd(handle, "aborted by headway")
        var failure: PostgresError? = endStatus == 1 ? nil : clientError(sql: sql)
        var copied = 0
        while let result = PQgetResult(handle) {
            if PQresultStatus(result) == PGRES_COMMAND_OK {
                copied = Int(String(cString: PQcmdTuples(result))) ?? 0
            } else if let copyFailure = endUnexpectedCopy(result, sql: sql) {
                failure = failure ?? copyFailure
            } else if failure == nil {
                failure = serverError(result, sql: sql)
            }
            PQclear(result)
        }
        if let bodyError { throw bodyError }
        if let failure { throw failure }
        return copied
    }

    /// Runs a query through a cursor, handing each row to `body`, `batchSize` rows fetched at a
    /// time: a large result is never held in memory whole, and costs far less per row than
    /// single-row mode. Runs in a transaction (a savepoint when already in one).
    public func forEachRowInBatches(_ query: SQLQuery, batchSize: Int = 20_000, _ body: (PostgresRow) throws -> Void) throws {
        cursorCount += 1
        let cursor = cursorCount
        let name = "headway_rows_\(cursor)"
        try transaction { connection in
            try connection.execute("DECLARE \(unsafeSQL: name) NO SCROLL CURSOR FOR \(unsafeSQL: query.sql)", parameters: query.parameters)
            let fetch: SQLQuery = "FETCH \(unsafeSQL: String(batchSize)) FROM \(unsafeSQL: name)"
            try connection.send(fetch)
            while true {
                let result = try connection.receiveFetch(cursor, fetch)
                defer { PQclear(result) }
                let count = PQntuples(result)
                // A full batch may have more behind it: ask for the next one before working
                // through this one, so the server reads while we work. Should `body` use the
                // connection meanwhile, that batch is received first and kept (settleFetchAhead).
                let more = count == batchSize
                if more {
                    try connection.send(fetch)
                    connection.fetchInFlight = cursor
                }
                do {
                    let columns = columnsOf(result)
                    for row in 0..<count { try body(rowOf(result, row: row, columns: columns)) }
                } catch {
                    // The connection must be idle again.
                    if more, let early = try? connection.receiveFetch(cursor, fetch) { PQclear(early) }
                    throw error
                }
                if !more { break }
            }
            try connection.execute("CLOSE \(unsafeSQL: name)")
        }
    }

    /// The next batch of cursor `cursor`: received early, or now.
    private func receiveFetch(_ cursor: Int, _ fetch: SQLQuery) throws -> OpaquePointer {
        if let early = fetchedEarly.removeValue(forKey: cursor) { return try early.get() }
        if fetchInFlight == cursor { fetchInFlight = nil }
        return try receive(fetch)
    }

    /// Receives a batch asked for ahead, before another statement is sent on the connection, and
    /// throws away a result sent for and not received.
    private func settleFetchAhead() {
        if let query = unreadResult {
            unreadResult = nil
            if let result = try? receive(query) { PQclear(result) }
        }
        guard let cursor = fetchInFlight else { return }
        fetchInFlight = nil
        fetchedEarly[cursor] = Result { try receive("FETCH") }
    }

    /// A COPY started by a statement that is not `copyIn` (a COPY passed to `query`, or inside a
    /// migration) leaves libpq waiting for COPY data, and `PQgetResult` would return the same
    /// result for ever: end it, and say why. nil for any other result.
    private func endUnexpectedCopy(_ result: OpaquePointer, sql: String) -> PostgresError? {
        let status = PQresultStatus(result)
        switch status {
        case PGRES_COPY_IN, PGRES_COPY_BOTH:
            _ = PQputCopyEnd(handle, "COPY FROM STDIN is only possible through copyIn")
        case PGRES_COPY_OUT:
            var buffer: UnsafeMutablePointer<CChar>?
            while PQgetCopyData(handle, &buffer, 0) > 0 {
                PQfreemem(buffer)
                buffer = nil
            }
        default:
            return nil
        }
        return PostgresError(kind: .client, message: "a COPY to or from the client cannot run here; only copyIn streams COPY data", sql: sql)
    }

    // MARK: - libpq plumbing

    /// Runs a statement whose `$n` parameters come from another query (a cursor's declaration).
    private func execute(_ statement: SQLQuery, parameters: [String?]) throws {
        let result = try run(SQLQuery(statement.sql, rawParameters: parameters))
        PQclear(result)
    }

    /// Sends `query` (prepared first if it asks to be), for rows in text or binary format.
    private func send(_ query: SQLQuery, binaryRows: Bool = false) throws {
        settleFetchAhead()
        let name = query.isPrepared ? try preparedName(query) : nil
        let format: Int32 = binaryRows ? 1 : 0
        let sent: Int32 = withOptionalCStrings(query.parameters) { values in
            if let name {
                return PQsendQueryPrepared(handle, name, Int32(query.parameters.count), values, nil, nil, format)
            }
            return PQsendQueryParams(handle, query.sql, Int32(query.parameters.count), nil, values, nil, nil, format)
        }
        guard sent == 1 else { throw clientError(sql: query.sql) }
    }

    /// The name `query`'s text is prepared under on this connection, preparing it the first
    /// time; nil once `maximumPrepared` statements are (it is then sent as any other).
    private func preparedName(_ query: SQLQuery) throws -> String? {
        if let name = preparedNames[query.sql] { return name }
        guard preparedNames.count < Self.maximumPrepared else { return nil }
        preparedCount += 1
        let name = "headway_\(preparedCount)"
        guard let result = PQprepare(handle, name, query.sql, Int32(query.parameters.count), nil) else { throw clientError(sql: query.sql) }
        defer { PQclear(result) }
        guard PQresultStatus(result) == PGRES_COMMAND_OK else { throw serverError(result, sql: query.sql) }
        preparedNames[query.sql] = name
        return name
    }

    func run(_ query: SQLQuery) throws -> OpaquePointer {
        try send(query)
        do {
            return try receive(query)
        } catch let error as PostgresError where query.isPrepared && error.isChangedPlan && PQtransactionStatus(handle) == PQTRANS_IDLE {
            // Its tables changed shape since it was prepared (a migration while a server runs):
            // `receive` forgot it, so it is prepared again and runs as on a new connection.
            try send(query)
            return try receive(query)
        }
    }

    /// The result of the statement last sent (`query` is for error messages).
    private func receive(_ query: SQLQuery) throws -> OpaquePointer {
        var kept: OpaquePointer?
        var failure: PostgresError?
        // Drain every result so the connection is ready for the next statement.
        while let result = PQgetResult(handle) {
            let status = PQresultStatus(result)
            if status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK, kept == nil, failure == nil {
                kept = result
                continue
            }
            if let copyFailure = endUnexpectedCopy(result, sql: query.sql) {
                failure = failure ?? copyFailure
            } else if failure == nil, status != PGRES_TUPLES_OK, status != PGRES_COMMAND_OK {
                failure = serverError(result, sql: query.sql)
            }
            PQclear(result)
        }
        if let failure {
            if let kept { PQclear(kept) }
            // A statement prepared before its tables changed shape fails from then on: forgotten,
            // it is prepared again when next run (the old one is left unused).
            if failure.isChangedPlan { preparedNames.removeValue(forKey: query.sql) }
            throw failure
        }
        guard let kept else { throw clientError(sql: query.sql) }
        return kept
    }

    private func columnsOf(_ result: OpaquePointer) -> PostgresColumns {
        PostgresColumns(names: (0..<PQnfields(result)).map { String(cString: PQfname(result, $0)) })
    }

    private func rowOf(_ result: OpaquePointer, row: Int32, columns: PostgresColumns) -> PostgresRow {
        let values: [String?] = (0..<Int32(columns.names.count)).map { column in
            PQgetisnull(result, row, column) == 1 ? nil : String(cString: PQgetvalue(result, row, column))
        }
        return PostgresRow(columns: columns, values: values)
    }

    private func rowsOf(_ result: OpaquePointer) -> [PostgresRow] {
        let columns = columnsOf(result)
        return (0..<PQntuples(result)).map { rowOf(result, row: $0, columns: columns) }
    }

    private func serverError(_ result: OpaquePointer, sql: String?) -> PostgresError {
        func field(_ code: Int32) -> String? {
            guard let value = PQresultErrorField(result, code) else { return nil }
            return String(cString: value)
        }
        guard let message = field(DiagnosticField.messagePrimary) else { return clientError(sql: sql) }
        return PostgresError(
            kind: .server, message: message, sqlState: field(DiagnosticField.sqlState).map(SQLState.init),
            detail: field(DiagnosticField.messageDetail), hint: field(DiagnosticField.messageHint),
            table: field(DiagnosticField.tableName), column: field(DiagnosticField.columnName),
            constraint: field(DiagnosticField.constraintName), sql: sql)
    }

    private func clientError(sql: String?) -> PostgresError {
        let message = String(cString: PQerrorMessage(handle)).trimmingCharacters(in: .whitespacesAndNewlines)
        let lost = PQstatus(handle) != CONNECTION_OK
        return PostgresError(
            kind: .client, message: lost ? "lost the connection to the database server: \(message)" : message,
            sqlState: lost ? .connectionFailure : nil, sql: sql)
    }

    /// Turns libpq's multi-line connection error into one line that says what to do.
    static func describeConnectionFailure(_ raw: String, secrets: [String]) -> String {
        let lines = raw.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        let text = lines.joined(separator: " ")
        let lower = text.lowercased()
        let advice: String
        if lower.contains("password authentication failed") || lower.contains("no password supplied") {
            advice = "the database rejected the user name or password"
        } else if lower.contains("connection refused") || lower.contains("no such file or directory") {
            advice = "no database server is listening there (is it running?)"
        } else if lower.contains("timeout expired") || lower.contains("timed out") {
            advice = "the database server did not answer in time"
        } else if lower.contains("does not exist") {
            advice = "the database or role does not exist"
        } else {
            advice = "could not connect"
        }
        let detail = lines.last(where: { !$0.isEmpty }) ?? text
        return DatabaseURL.redactingSecrets(in: "could not connect to the database: \(advice) (\(detail))", secrets: secrets)
    }
}

/// Buffers COPY data and hands it to libpq in large chunks.
public struct CopyWriter {
    public enum Format: Sendable { case text, binary }

    fileprivate let handle: OpaquePointer
    let format: Format
    var buffer: [UInt8] = []
    private var atRowStart = true
    static let chunkSize = 32 * 1024

    fileprivate init(handle: OpaquePointer, format: Format) {
        self.handle = handle
        self.format = format
        buffer.reserveCapacity(Self.chunkSize + 4096)
        if format == .binary { beginBinary() }
    }

    /// Appends one row, escaping each field for COPY's text format; nil is written as `\N`.
    public mutating func writeRow(_ fields: [String?]) throws {
        for field in fields { writeField(field) }
        try endRow()
    }

    /// Appends one field of the current row (see `endRow`); nil is written as `\N`.
    public mutating func writeField(_ field: String?) {
        if atRowStart {
            atRowStart = false
        } else {
            buffer.append(9)
        }
        guard var field else {
            buffer.append(contentsOf: [92, 78])
            return
        }
        field.withUTF8 { bytes in
            // Most fields need no escaping: copy them whole.
            if !bytes.contains(where: { $0 == 92 || $0 == 9 || $0 == 10 || $0 == 13 }) {
                buffer.append(contentsOf: bytes)
            } else {
                Self.appendEscaped(bytes, to: &buffer)
            }
        }
    }

    /// Ends the current row.
    public mutating func endRow() throws {
        buffer.append(10)
        atRowStart = true
        if buffer.count >= Self.chunkSize { try flush() }
    }

    /// Escapes backslash, tab, newline and carriage return for COPY's text format.
    static func appendEscaped(_ bytes: some Sequence<UInt8>, to buffer: inout [UInt8]) {
        for byte in bytes {
            switch byte {
            case 92: buffer.append(contentsOf: [92, 92])
            case 9: buffer.append(contentsOf: [92, 116])
            case 10: buffer.append(contentsOf: [92, 110])
            case 13: buffer.append(contentsOf: [92, 114])
            default: buffer.append(byte)
            }
        }
    }

    mutating func flush() throws {
        guard !buffer.isEmpty else { return }
        let status = buffer.withUnsafeBufferPointer { pointer in
            pointer.withMemoryRebound(to: CChar.self) { PQputCopyData(handle, $0.baseAddress, Int32($0.count)) }
        }
        guard status == 1 else {
            let message = String(cString: PQerrorMessage(handle)).trimmingCharacters(in: .whitespacesAndNewlines)
            let lost = PQstatus(handle) != CONNECTION_OK
            throw PostgresError(kind: .client, message: "COPY failed while sending data: \(message)", sqlState: lost ? .connectionFailure : nil)
        }
        buffer.removeAll(keepingCapacity: true)
    }
}

/// libpq's `PG_DIAG_*` field codes, which are character macros Swift cannot import.
enum DiagnosticField {
    static let sqlState = Int32(UInt8(ascii: "C"))
    static let messagePrimary = Int32(UInt8(ascii: "M"))
    static let messageDetail = Int32(UInt8(ascii: "D"))
    static let messageHint = Int32(UInt8(ascii: "H"))
    static let tableName = Int32(UInt8(ascii: "t"))
    static let columnName = Int32(UInt8(ascii: "c"))
    static let constraintName = Int32(UInt8(ascii: "n"))
    static let severity = Int32(UInt8(ascii: "V"))
}

/// Receives server notices (warnings, `RAISE NOTICE`) so they go to the log instead of stderr.
private final class NoticeSink {
    let logger: Logger
    init(logger: Logger) { self.logger = logger }
}

private func noticeReceiver(_ context: UnsafeMutableRawPointer?, _ result: OpaquePointer?) {
    guard let context, let result else { return }
    let sink = Unmanaged<NoticeSink>.fromOpaque(context).takeUnretainedValue()
    let message = PQresultErrorField(result, DiagnosticField.messagePrimary).map { String(cString: $0) } ?? ""
    let severity = PQresultErrorField(result, DiagnosticField.severity).map { String(cString: $0) } ?? "NOTICE"
    sink.logger.debug("postgres \(severity.lowercased()): \(message)")
}

private func withCStrings<R>(_ strings: [String], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    pointers.append(nil)
    defer { pointers.forEach { free($0) } }
    return body(pointers.map { $0.map { UnsafePointer($0) } })
}

private func withOptionalCStrings<R>(_ strings: [String?], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
    let pointers: [UnsafeMutablePointer<CChar>?] = strings.map { $0.map { strdup($0) } ?? nil }
    defer { pointers.forEach { free($0) } }
    return body(pointers.map { $0.map { UnsafePointer($0) } })
}
