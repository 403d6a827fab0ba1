import Foundation
import HeadwayModel
import HeadwayReport
import HeadwayStore
import Hummingbird

/// The routes of the read API. Thin: parameters are checked in `Queries`, the SQL lives in
/// HeadwayStore, and every statement runs through the pool, off the event loops.
struct API: Sendable {
    let reads: Reads
    let migrations: [Migration]
    /// The stored state's version, and where the list's next page is read ahead (`listPage`).
    let hub: EventHub
    let cache: ResponseCache

    func addRoutes(to router: Router<BasicRequestContext>) {
        read(router, "healthz") { _, _ in jsonResponse(#"{"status":"ok"}"#) }
        read(router, "readyz") { _, _ in try await ready() }
        let v1 = router.group("api/v1")
        read(v1, "commitments") { request, _ in try await commitments(Queries.listFilter(request.uri), request: request) }
        read(v1, "commitments/:key") { request, context in try await commitment(try Self.key(context), asOf: Queries.asOf(request.uri)) }
        read(v1, "summary") { request, _ in
            _ = try Queries.checked(request.uri, allowed: [])
            return try await summary()
        }
        read(v1, "openapi.json") { _, _ in jsonResponse(OpenAPIDocument.text) }
    }

    /// A read-only resource: GET (and HEAD, which the router derives from it); any other
    /// method is 405 with Allow, rather than the 404 of a path that does not exist.
    func read(
        _ routes: some RouterMethods<BasicRequestContext>, _ path: RouterPath,
        _ handler: @escaping @Sendable (Request, BasicRequestContext) async throws -> Response
    ) {
        routes.get(path, use: handler)
        Self.refuseOtherMethods(routes, path, allowed: [.get])
    }

    /// The methods a client may try on a resource (QUERY: the draft safe method with a body).
    static let methods: [HTTPRequest.Method] = [.get, .post, .put, .patch, .delete, .options, .trace, HTTPRequest.Method("QUERY")!]

    /// Answers every method of `methods` but `allowed` (and HEAD, derived from GET) with 405 and Allow.
    static func refuseOtherMethods(_ routes: some RouterMethods<BasicRequestContext>, _ path: RouterPath, allowed: [HTTPRequest.Method]) {
        let allow = allowed.flatMap { $0 == .get ? ["GET", "HEAD"] : [$0.rawValue] }.joined(separator: ", ")
        for method in methods where !allowed.contains(method) {
            routes.on(path, method: method) { _, _ -> Response in throw Problem.methodNotAllowed(method, allowed: allow) }
        }
    }

    /// Ready when the database answers and every migration this build knows is applied.
    func ready() async throws -> Response {
        let migrations = migrations
        // On the primary; with the primary down, a standby in rotation still serves reads.
        let check: @Sendable (Workspace) throws -> [String] = { try $0.pendingMigrations(migrations).map { "\($0.version) (\($0.name))" } }
        let pending: [String]
        do {
            pending = try await reads.primary.withWorkspace(check)
        } catch let error as DatabaseUnavailable {
            guard let replica = reads.replicas.choose(minimumEventID: nil) else { throw error }
            pending = try await replica.pool.withWorkspace(check)
        }
        guard pending.isEmpty else { throw Problem.unavailable("migrations not applied yet: \(pending.joined(separator: ", "))") }
        return jsonResponse(JSONValue.object([("status", .string("ready"))] + reads.replicas.readiness))
    }

    /// One page of the list, as JSON or CSV; a CSV answer points to the next page with a Link header.
    func commitments(_ filter: StatusReader.Filter, request: Request) async throws -> Response {
        let format = try Queries.format(request)
        let page = try await listPage(filter, format: format)
        let cursor = page.next.map { ListCursor.encode($0, sort: filter.sort) }
        var headers: HTTPFields = [:]
        if let cursor, format == .csv {
            // The request's own query (still percent-encoded), its cursor replaced; a cursor is base64url.
            let query = (request.uri.query ?? "").split(separator: "&").filter { !$0.hasPrefix("cursor=") } + ["cursor=\(cursor)"]
            headers[.init("Link")!] = "<\(request.uri.path)?\(query.joined(separator: "&"))>; rel=\"next\""
        }
        return TableAnswer.response(page.rows, format: format, name: "commitments", more: [("next_cursor", cursor.map(JSONValue.string) ?? .null)], headers: headers)
    }

    /// A page of the list. A client that walks the list asks for the next page as soon as it has
    /// this one; so when this page has a next and a pool thread is free, the next page is read
    /// now, while this one is written and sent, and the request for it takes that read (kept
    /// in the cache under the state's version and the day, so it is only used while the same
    /// request would read the same rows).
    private func listPage(_ filter: StatusReader.Filter, format: RowFormat) async throws -> StatusReader.Page {
        struct Key: Hashable {
            let filter: StatusReader.Filter, format: RowFormat, day: CivilDate
        }
        let (reads, day) = (reads, CivilDate.today())
        return try await cache.readAhead(
            Key(filter: filter, format: format, day: day), version: hub.version, idle: reads.mayReadAhead,
            read: { key in try await reads.withSnapshot { try $0.commitments(key.filter, format: key.format) } },
            next: { page in
                page.next.map { after in
                    var following = filter
                    following.after = after
                    return Key(filter: following, format: format, day: day)
                }
            })
    }

    /// The assessment as the JSON report has it, computed now from the figures; with `asOf`,
    /// from what was published by then. Nothing is stored.
    func commitment(_ key: String, asOf: CivilDate?) async throws -> Response {
        let date = asOf ?? CivilDate.today()
        let found = try await reads.withSnapshot { try $0.assessWithFigures(key: key, asOf: date, allRevisions: false) }
        guard let found else { throw Problem.notFound("no commitment with key \(String(reflecting: key))") }
        guard let assessment = found.assessment else { throw Problem.notFound("commitment \(String(reflecting: key)) was made after \(date)") }
        return jsonResponse(Self.withFigures(JSONReport.value(assessment), assessment, found.figures))
    }

    /// Counts by status, of the whole portfolio and per tag, every status present with 0 for none.
    func summary() async throws -> Response {
        let counts = try await reads.withSnapshot { try $0.statusCounts() }
        func fields(_ rows: [StatusReader.StatusCount]) -> [(String, JSONValue)] {
            let byStatus = Dictionary(rows.map { ($0.status, $0.commitments) }, uniquingKeysWith: +)
            return [
                ("total", .number(String(rows.reduce(0) { $0 + $1.commitments }))),
                ("by_status", .object(Queries.statuses.map { ($0, .number(String(byStatus[$0] ?? 0))) })),
            ]
        }
        var byTag: [String: [StatusReader.StatusCount]] = [:]
        for row in counts { if let tag = row.tag { byTag[tag, default: []].append(row) } }
        let tags = byTag.keys.sorted().map { ($0, JSONValue.object(fields(byTag[$0] ?? []))) }
        return jsonResponse(JSONValue.object(fields(counts.filter { $0.tag == nil }) + [("by_tag", .object(tags))]))
    }
}
