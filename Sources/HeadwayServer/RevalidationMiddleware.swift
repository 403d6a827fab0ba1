import HeadwayModel
import HeadwayStore
import Hummingbird

/// ETag and If-None-Match for the API's answers (RFC 9110, section 13.1.2).
///
/// An answer depends only on the stored state, whose version is the last event's id (every
/// write to what the API shows stores an event, sql/006), on the date (answers assessed now),
/// and on what was asked. So the tag is made of those, and a request whose If-None-Match holds
/// it is answered 304 without asking the database; a GET whose tag names an answer in the
/// cache gets it without asking the database either. Until the server has read the version,
/// and for anything but GET and HEAD of the API, nothing is tagged.
struct RevalidationMiddleware<Context: RequestContext>: RouterMiddleware {
    let hub: EventHub
    let cache: ResponseCache

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        // What the request's reads see (`Reads`): where they must read from, and the state they saw.
        let minimum = request.headers[.headwayMinEventID].flatMap { Int64($0.trimmingCharacters(in: .whitespaces)) }
        let reads = ReadContext(minimumEventID: minimum)
        return try await ReadContext.$current.withValue(reads) { try await answer(request, context: context, reads: reads, next: next) }
    }

    private func answer(
        _ request: Request, context: Context, reads: ReadContext, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        // The version is read before the answer is made: a change meanwhile gives an older tag, never a newer one.
        guard Self.isRevalidated(request.uri.path), let version = hub.version else { return try await next(request, context) }
        guard request.method == .get || request.method == .head else {
            guard request.method == .post, WriteAPI.paths.contains(request.uri.path) else { return try await next(request, context) }
            // A write: what the cache holds may be out of date once it is done.
            defer { cache.withhold(through: version) }
            return try await next(request, context)
        }
        // A client that must see an event this server has not heard of yet is answered afresh.
        let known = reads.minimumEventID.map { $0 <= version } ?? true
        let today = CivilDate.today()
        let tag = Self.tag(version: version, today: today, request: request)
        if known, !cache.isWithheld(version), let condition = request.headers[.ifNoneMatch], Self.matches(condition, tag) {
            return Response(status: .notModified, headers: [.eTag: tag, .cacheControl: Self.cacheControl(request.uri.path)])
        }
        if known, request.method == .get, let kept = cache.answer(for: tag, version: version) { return kept }
        var response = try await next(request, context)
        guard response.status == .ok else { return response }
        // Tagged and kept as of the oldest state it was made from: a lagging standby's answer is
        // never kept as current.
        let made = min(version, reads.version ?? version)
        let madeTag = made == version ? tag : Self.tag(version: made, today: today, request: request)
        response.headers[.eTag] = madeTag
        response.headers[.cacheControl] = Self.cacheControl(request.uri.path)
        return request.method == .get ? try await cache.keep(response, tag: madeTag, version: made) : response
    }

    /// The API's answers, the dashboard's pages, the feed, badges and embeds, made from the
    /// stored state; not the event stream, the dashboard's assets, or /healthz, /readyz and
    /// /metrics, which say how the server is rather than what is stored.
    static func isRevalidated(_ path: String) -> Bool {
        (path.hasPrefix("/api/v1/") && !path.hasPrefix("/api/v1/events"))
            || path == "/" || path.hasPrefix("/commitments/") || path.hasPrefix("/metrics/")
            || path == StatusFeed.path || path.hasPrefix("/badges/") || path.hasPrefix("/embed/")
    }

    /// Ask again every time (`no-cache`), but for the images other sites show, a badge or a
    /// chart, which may be used for five minutes first: a page showing them to many readers
    /// then costs this server a request per reader every five minutes at most.
    static func cacheControl(_ path: String) -> String {
        path.hasPrefix("/badges/") || (path.hasPrefix("/commitments/") && path.hasSuffix("/chart.svg")) ? "max-age=300" : "no-cache"
    }

    /// A weak tag (gzip or not, the same answer): the version, then a hash of the date, the path
    /// and query, the Accept header (JSON or CSV) and the Host (the feed's and embeds' absolute
    /// links are made from it).
    static func tag(version: Int64, today: CivilDate, request: Request) -> String {
        var hash = FNV1a()
        for part in [today.description, request.uri.description, request.headers[.accept] ?? "", request.head.authority ?? ""] {
            hash.mix(part.utf8)
            hash.mix(CollectionOfOne(0))
        }
        return "W/\"\(version)-\(String(hash.value, radix: 16))\""
    }

    /// Whether If-None-Match names `tag`, by weak comparison. (Not `*`: that would hold for a 404 too.)
    static func matches(_ condition: String, _ tag: String) -> Bool {
        if condition == tag { return true }  // the usual case: the tag sent back as it came
        let opaque = { (text: String) in text.hasPrefix("W/") ? String(text.dropFirst(2)) : text }
        return condition.split(separator: ",").contains { opaque($0.trimmingCharacters(in: .whitespaces)) == opaque(tag) }
    }
}
