import Foundation
import HeadwayModel
import HeadwayReport
import HeadwayStore
import Hummingbird
import HummingbirdCore
import Logging

/// The web dashboard: server-rendered pages at `/` (the portfolio), `/commitments/{key}` and
/// `/metrics/{key}`, and the small script and stylesheet they use. Every page works without
/// the script, which only adds live updates (from `/api/v1/events`) and sorting, filtering and
/// paging without a reload. Nothing is fetched from another origin, and the
/// Content-Security-Policy says so.
struct Dashboard: Sendable {
    let reads: Reads
    /// The state's version, and the facts kept for it: the overview's counts.
    let hub: EventHub
    let cache: ResponseCache
    let sparklines = SparklineMemo()
    /// Where the commitment page's share card and snippets point.
    let links: PublicLinks
    let logger: Logger

    func addRoutes(to router: Router<BasicRequestContext>) {
        router.get("/") { request, _ in await page { try await overview(DashboardQueries.overview(request.uri)) } }
        router.get("commitments/:key") { request, context in
            await page {
                let key = try context.parameters.require("key")
                return try await commitment(key.removingPercentEncoding ?? key, asOf: DashboardQueries.asOf(request.uri), base: links.base(request))
            }
        }
        router.get("metrics/:key") { request, context in
            await page {
                let key = try context.parameters.require("key")
                _ = try Queries.checked(request.uri, allowed: [])
                return try await metric(key.removingPercentEncoding ?? key)
            }
        }
        for asset in DashboardAssets.all {
            router.get(RouterPath(asset.path)) { _, _ in
                var headers = Self.headers
                headers[.contentType] = asset.contentType
                headers[.cacheControl] = "max-age=300"
                return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: asset.text)))
            }
        }
    }

    /// Scripts, styles, images and connections from this server only; no inline script or style
    /// (the pages have none), no frames, forms that submit only here.
    static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
        + "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

    static let headers: HTTPFields = [.contentSecurityPolicy: contentSecurityPolicy, .xContentTypeOptions: "nosniff"]

    /// A page, or the error it met as a page of its own with the right status: a person reads
    /// these, so an error is HTML too (the API's routes answer problem+json).
    private func page(_ build: () async throws -> HTML) async -> Response {
        do {
            return respond(.ok, try await build())
        } catch let problem as Problem {
            var response = respond(problem.status, DashboardPage.error(problem.status, problem.detail))
            for field in problem.headers { response.headers.append(field) }
            return response
        } catch let error as DatabaseUnavailable {
            logger.warning("database unavailable: \(error)")
            var response = respond(.serviceUnavailable, DashboardPage.error(.serviceUnavailable, "The database is unavailable; try again in a moment."))
            response.headers[.retryAfter] = String(Problem.retryAfterSeconds)
            return response
        } catch {
            logger.error("dashboard page failed: \(String(describing: error))")
            return respond(.internalServerError, DashboardPage.error(.internalServerError, "The server failed to answer; the error is in its log."))
        }
    }

    private func respond(_ status: HTTPResponse.Status, _ html: HTML) -> Response {
        var headers = Self.headers
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-cache"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: html.text)))
    }

    /// The portfolio: the stored present (as the JSON list), counts by status, one page of the
    /// list. The counts and how many commitments the filter matches are the same for every page
    /// until the state changes, so they are kept by its version (without a filter, the count is
    /// the counts' sum); sparklines are kept by their series (`SparklineMemo`). As the JSON list
    /// does, a page with a next one has that one read while it is drawn and sent, when a pool
    /// thread is free, and the request for it takes that read (kept under the state's version
    /// and the day, so only while the same request would read the same rows).
    func overview(_ query: DashboardReader.OverviewQuery) async throws -> HTML {
        struct Key: Hashable {
            let query: DashboardReader.OverviewQuery, day: CivilDate
        }
        let (version, day) = (hub.version, CivilDate.today())
        let read = try await cache.readAhead(
            Key(query: query, day: day), version: version, idle: reads.mayReadAhead,
            read: { [self] key in try await self.read(key.query, version: version) },
            next: { read in
                guard query.page * query.perPage < read.total else { return nil }
                var next = query
                next.page += 1
                return Key(query: next, day: day)
            })
        let lines = read.rows.map { row -> HTML in
            guard let trend = row.trend, let fingerprint = row.seriesFingerprint else { return read.known[row.key] ?? .empty }
            let line = DashboardPage.sparkline(trend)
            sparklines.keep(line, key: row.key, fingerprint: fingerprint)
            return line
        }
        return DashboardPage.overview(DashboardPage.Overview(query: query, rows: read.rows, sparklines: lines, total: read.total, counts: read.counts))
    }

    /// One page of the overview as read: its rows, the counts, how many the filter matches, and
    /// the lines already drawn for rows whose series were therefore not read.
    private struct OverviewRead: Sendable {
        let rows: [DashboardReader.OverviewRow]
        let total: Int
        let counts: [StatusReader.StatusCount]
        let known: [String: HTML]
    }

    private func read(_ query: DashboardReader.OverviewQuery, version: Int64?) async throws -> OverviewRead {
        try await reads.withVersionedSnapshot { [cache, sparklines] workspace, seen in
            // Facts are kept by the server's version: one read from an older state is not kept.
            let version = version == seen ? version : nil
            let counts = try cache.fact("status counts", version: version) { try workspace.statusCounts() }
            let total = query.filter == StatusReader.Filter()
                ? DashboardPage.overallCount(counts)
                : try cache.fact("matching \(query.filter)", version: version) { try workspace.dashboard.count(matching: query.filter) }
            // Lines already drawn are taken now, so that the page has each one it did not read.
            var known: [String: HTML] = [:]
            let rows = try workspace.dashboard.overview(query) { key, fingerprint in
                guard let line = sparklines.line(key, fingerprint: fingerprint) else { return true }
                known[key] = line
                return false
            }
            return OverviewRead(rows: rows, total: total, counts: counts, known: known)
        }
    }

    /// One commitment assessed now from the figures, or as of a past date: computed, never stored.
    func commitment(_ key: String, asOf: CivilDate?, base: String) async throws -> HTML {
        let date = asOf ?? CivilDate.today()
        let story = try await reads.withSnapshot { workspace -> DashboardPage.Story? in
            guard let found = try workspace.assessWithFigures(key: key, asOf: date, allRevisions: true) else { return nil }
            let reader = workspace.dashboard
            return DashboardPage.Story(
                definition: found.definition, assessment: found.assessment, asOf: asOf, chain: try reader.chain(of: key),
                figures: found.figures, history: try reader.statusHistory(of: key, asOf: asOf), base: base)
        }
        guard let story else { throw Problem.notFound("There is no commitment with the key \(String(reflecting: key)).") }
        return DashboardPage.commitment(story)
    }

    /// A metric: every figure and revision, and the commitments on it.
    func metric(_ key: String) async throws -> HTML {
        let found = try await reads.withSnapshot { workspace -> DashboardPage.MetricPage? in
            let reader = workspace.dashboard
            guard let metric = try reader.metric(key) else { return nil }
            return DashboardPage.MetricPage(metric: metric, commitments: try reader.commitments(onMetric: key), figures: try workspace.figures.figures(metric: key))
        }
        guard let found else { throw Problem.notFound("There is no metric with the key \(String(reflecting: key)).") }
        return DashboardPage.metric(found)
    }
}

/// The dashboard's query parameters, checked: an empty value (a form's "any") means none, and
/// anything else wrong is a 400 page that names it.
enum DashboardQueries {
    static let maximumPerPage = 1000
    static let defaultPerPage = 100

    static func overview(_ uri: URI) throws -> DashboardReader.OverviewQuery {
        let parameters = try Queries.checked(uri, allowed: ["status", "tag", "metric", "q", "stale", "sort", "order", "page", "per_page"])
        func single(_ name: String) throws -> String? { try Queries.single(name, parameters, emptyIsNone: true) }
        var query = DashboardReader.OverviewQuery()
        query.filter = try Queries.commonFilter(parameters, emptyIsNone: true)
        if let sort = try single("sort") {
            guard let value = DashboardReader.Sort(rawValue: sort) else {
                throw Problem.badRequest("sort must be one of \(DashboardReader.Sort.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            query.sort = value
        }
        if let order = try single("order") {
            guard ["asc", "desc"].contains(order) else { throw Problem.badRequest("order must be asc or desc, not \(String(reflecting: order))") }
            query.descending = order == "desc"
        }
        query.page = try Queries.whole("page", try single("page"), 1...1_000_000) ?? 1
        query.perPage = try Queries.whole("per_page", try single("per_page"), 1...maximumPerPage) ?? defaultPerPage
        return query
    }

    /// The commitment page's `as_of`: empty (the form's "today") means today.
    static func asOf(_ uri: URI) throws -> CivilDate? {
        let parameters = try Queries.checked(uri, allowed: ["as_of"])
        guard parameters.getAll("as_of").contains(where: { !$0.isEmpty }) else { return nil }
        return try Queries.asOf(uri)
    }
}
