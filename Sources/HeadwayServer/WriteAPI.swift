import Foundation
#if canImport(Glibc)
import Glibc
#endif
import HeadwayIngest
import HeadwayModel
import HeadwayReport
import HeadwayStore
import Hummingbird

/// The write API: observations and definitions, taken as `headway load` and `headway apply`
/// take them (the same checks, all or nothing, the same summary), each with a write token.
struct WriteAPI: Sendable {
    /// The primary's pool for writes: a write runs once (see `DatabasePool.pingsBeforeUse`).
    let pool: DatabasePool
    let access: Access
    /// The largest body accepted (`--max-body`); larger ones are 413 and nothing is written.
    let maxBodyBytes: Int

    static let paths: Set<String> = ["/api/v1/observations", "/api/v1/definitions"]
    /// What errors call the body, where `headway load` names the file.
    static let bodyName = "request body"

    func addRoutes(to router: Router<BasicRequestContext>) {
        write(router, "api/v1/observations") { request in try await observations(request) }
        write(router, "api/v1/definitions") { request in try await definitions(request) }
    }

    /// A POST-only resource: a write token first, then the body; other methods are 405.
    private func write(_ router: Router<BasicRequestContext>, _ path: RouterPath, _ handler: @escaping @Sendable (Request) async throws -> Response) {
        router.post(path) { request, _ in
            try await access.require(.write, request)
            return try await handler(request)
        }
        API.refuseOtherMethods(router, path, allowed: [.post])
    }

    /// `POST /api/v1/observations`: Headway's CSV (text/csv) or JSON rows (application/json); with
    /// `?metric=KEY` (or as application/vnd.sdmx.data+csv), a publisher's file imported as
    /// `headway import` imports it.
    func observations(_ request: Request) async throws -> Response {
        let mediaType = try Self.mediaType(request, accepted: ["text/csv", "application/json", Self.sdmxCSV])
        try checkDeclaredLength(request)
        if request.uri.queryParameters["metric"] != nil || mediaType == Self.sdmxCSV { return try await importFigures(request, mediaType: mediaType) }
        let rows = mediaType == "application/json" ? JSONRowsToCSV(fileName: Self.bodyName) : nil
        let body = try await Self.receiving { try await SpooledBody.receive(request.body, limit: maxBodyBytes, transform: rows) }
        defer { body.remove() }
        let (summary, event) = try await Self.answeringInputErrors(rows: rows) {
            try await pool.withWorkspace { workspace in
                defer { Self.returnFreedMemory() }
                return (try workspace.load(spooled: body.path, as: Self.bodyName), try workspace.events.lastID())
            }
        }
        return Self.withEventID(jsonResponse(JSONValue.object(Self.describe(summary))), event)
    }

    static let sdmxCSV = "application/vnd.sdmx.data+csv"

    /// A publisher's file (docs/API.md, "Official statistics"): the options of `headway import`
    /// as query parameters.
    private func importFigures(_ request: Request, mediaType: String) async throws -> Response {
        let parameters = request.uri.queryParameters
        guard let metric = parameters["metric"].map(String.init), !metric.isEmpty else {
            throw Problem.badRequest("a file in a publisher's format needs ?metric=KEY, the metric its figures are of")
        }
        var format: ImportFormat? = mediaType == Self.sdmxCSV ? .sdmxCSV : nil
        if let name = parameters["format"].map(String.init), name != "auto" {
            guard let named = ImportFormat(rawValue: name) else {
                throw Problem.badRequest("format \(String(reflecting: name)) is none of auto, \(ImportFormat.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            format = named
        }
        guard let filters = ImportSelection.filters(parameters.getAll("where")) else { throw Problem.badRequest("where: write DIMENSION=CODE, as where=geo=DE") }
        var frequency: DatePeriod.Precision?
        if let word = parameters["frequency"].map(String.init) {
            guard let precision = ImportSelection.frequency(word) else { throw Problem.badRequest("frequency \(String(reflecting: word)) is none of year, quarter, month, week, day") }
            frequency = precision
        }
        var publishedOn: CivilDate?
        if let text = parameters["published_on"].map(String.init) {
            guard let day = try? CivilDate(parsing: text) else { throw Problem.badRequest("published_on \(String(reflecting: text)) is not a date as YYYY-MM-DD") }
            publishedOn = day
        }
        let source = parameters["source"].map(String.init)
        let body = try await SpooledBody.receive(request.body, limit: maxBodyBytes)
        defer { body.remove() }
        let result = try await Self.answeringInputErrors {
            try await pool.withWorkspace { [format, frequency, publishedOn] workspace in
                defer { Self.returnFreedMemory() }
                guard let kind = try workspace.metricKind(metric) else {
                    throw HeadwayError("\(String(reflecting: metric)) is not a defined metric", kind: .input)
                }
                var selection = ImportSelection(metric: metric, kind: kind, publishedOn: publishedOn)
                selection.filters = filters
                selection.frequency = frequency
                selection.source = source
                return (try workspace.importFigures([(body.path, Self.bodyName)], format: format, selection: selection), try workspace.events.lastID())
            }
        }
        let (imported, event) = result
        let outcome = imported.outcomes[0]
        return Self.withEventID(jsonResponse(
            JSONValue.object(
                [
                    ("format", .string(outcome.format.rawValue)),
                    ("series", .object(outcome.series.map { ($0.0, JSONValue.string($0.1)) })),
                    ("missing_values", .number(String(outcome.missingValues))), ("other_series", .number(String(outcome.otherSeries))),
                ] + Self.describe(imported.summary ?? .init()))), event)
    }

    /// A write's answer with `Headway-Event-Id`: the last event stored when it was done, which a
    /// later read may send back as `Headway-Min-Event-Id` to see the write (docs/API.md).
    static func withEventID(_ response: Response, _ event: Int64) -> Response {
        var response = response
        response.headers[.headwayEventID] = String(event)
        return response
    }

    /// A load's summary, as `headway load` prints it.
    static func describe(_ summary: ObservationLoader.Summary) -> [(String, JSONValue)] {
        [
            ("rows", .number(String(summary.rows))), ("inserted", .number(String(summary.inserted))),
            ("unchanged", .number(String(summary.unchanged))), ("revised", .number(String(summary.revised))),
            ("rejected", .number(String(summary.rejected))), ("provenance_differs", .number(String(summary.provenanceDiffers))),
            ("published_later", .number(String(summary.publishedLater))),
        ]
    }

    /// Receives a body, answering a body that is not JSON rows as 400 with its row.
    static func receiving(_ body: () async throws -> SpooledBody) async throws -> SpooledBody {
        do {
            return try await body()
        } catch let error as JSONRowsToCSV.SyntaxError {
            var problem = Problem.invalid([error.error], truncated: false)
            if error.row > 0 { problem.members.append(("row", .number(String(error.row)))) }
            throw problem
        }
    }

    /// A write's re-assessment may have held thousands of assessments: the memory it freed goes
    /// back to the system, rather than staying with the server as its size from then on.
    static func returnFreedMemory() {
        #if canImport(Glibc)
        // glibc's malloc_trim, which Swift's Glibc module does not declare.
        typealias MallocTrim = @convention(c) (Int) -> Int32
        if let symbol = dlsym(dlopen(nil, RTLD_NOW), "malloc_trim") { _ = unsafeBitCast(symbol, to: MallocTrim.self)(0) }
        #endif
    }

    /// `POST /api/v1/definitions`: YAML (application/yaml) or JSON (application/json).
    func definitions(_ request: Request) async throws -> Response {
        _ = try Self.mediaType(request, accepted: ["application/yaml", "application/x-yaml", "text/yaml", "application/json"])
        try checkDeclaredLength(request)
        // Definitions are read whole (YAML needs the whole document); the limit bounds them.
        var buffer = ByteBuffer()
        for try await chunk in request.body {
            guard buffer.readableBytes + chunk.readableBytes <= maxBodyBytes else { throw Problem.tooLarge(limit: maxBodyBytes) }
            buffer.writeImmutableBuffer(chunk)
        }
        guard let text = String(validating: buffer.readableBytesView, as: UTF8.self) else {
            throw Problem.badRequest("\(Self.bodyName): is not valid UTF-8")
        }
        let result = try await Self.answeringInputErrors {
            let definitions = try DefinitionsReader.read(text: text, fileName: Self.bodyName)
            return try await pool.withWorkspace { workspace in
                defer { Self.returnFreedMemory() }
                return (try workspace.apply(definitions), try workspace.events.lastID())
            }
        }
        let (applied, event) = result
        let count = { (action: DefinitionApplier.Change.Action) in JSONValue.number(String(applied.changes.filter { $0.action == action }.count)) }
        let changes = applied.changes.filter { $0.action != .unchanged }.map { change in
            JSONValue.object([
                ("action", .string(change.action.rawValue)), ("kind", .string(change.kind)), ("key", .string(change.key)),
                ("fields", .array(change.fields.map(JSONValue.string))),
            ])
        }
        return Self.withEventID(jsonResponse(
            JSONValue.object([
                ("created", count(.created)), ("updated", count(.updated)), ("unchanged", count(.unchanged)), ("changes", .array(changes)),
                ("warnings", .array(applied.warnings.map(JSONValue.string))),
            ])), event)
    }

    /// A body the client says is too large is refused before a byte of it is read.
    private func checkDeclaredLength(_ request: Request) throws {
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > maxBodyBytes { throw Problem.tooLarge(limit: maxBodyBytes) }
    }

    /// The request's media type (without parameters such as charset), if it is one of `accepted`; else 415.
    static func mediaType(_ request: Request, accepted: [String]) throws -> String {
        let given = request.headers[.contentType]?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
        guard let given, accepted.contains(given) else {
            throw Problem(
                status: .unsupportedMediaType,
                detail: "Content-Type must be \(accepted.joined(separator: " or ")), not \(given.map { String(reflecting: $0) } ?? "missing")",
                headers: [.accept: accepted.joined(separator: ", ")])
        }
        return given
    }

    /// Runs `body`, answering bad input as 400 with the first bad row's line and column (with
    /// `rows`, JSON rows: its row in the array instead of the line of the CSV made of it).
    static func answeringInputErrors<T>(rows: JSONRowsToCSV? = nil, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as ObservationLoader.InvalidInput {
            throw Problem.invalid(error.errors, truncated: error.truncated, rows: rows)
        } catch let error as InputError {
            throw Problem.invalid([error], truncated: false, rows: rows)
        } catch let error as HeadwayError where error.kind == .input {
            throw Problem.badRequest(error.message)
        }
    }
}

extension Problem {
    /// 413: the body is larger than the server takes.
    static func tooLarge(limit: Int) -> Problem {
        Problem(status: .contentTooLarge, detail: "the body is larger than this server takes (\(limit) bytes, --max-body); nothing was written")
    }

    /// 400 for bad input: the first problem's `line` and `column` (a CSV column or a definitions
    /// field), and every problem found in `errors`; nothing was written.
    /// For JSON rows (`rows`), each problem names its `row` in the array, not a line.
    static func invalid(_ errors: [InputError], truncated: Bool, rows: JSONRowsToCSV? = nil) -> Problem {
        func members(_ error: InputError) -> [(String, JSONValue)] {
            let position: [(String, JSONValue)]
            if let path = error.path {
                position = [("path", .string(path))]
            } else if error.line <= 0 {
                position = []
            } else if let rows {
                position = [("row", .number(String(rows.row(ofCSVLine: error.line))))]
            } else {
                position = [("line", .number(String(error.line)))]
            }
            return position + [("column", error.column.map(JSONValue.string) ?? .null)]
        }
        func detail(_ error: InputError) -> String {
            guard let rows, error.line > 0, error.path == nil else { return error.description }
            return "\(error.file): row \(rows.row(ofCSVLine: error.line)): " + error.description.dropFirst("\(error.file):\(error.line): ".count)
        }
        let first = errors.first
        let more = errors.count > 1 ? " (and \(errors.count - 1)\(truncated ? "+" : "") more)" : ""
        return Problem(
            status: .badRequest, detail: (first.map(detail) ?? "the body is not valid") + more + "; nothing was written",
            members: (first.map(members) ?? [])
                + [("errors", .array(errors.map { .object([("detail", .string(detail($0)))] + members($0)) }))])
    }
}
