import Foundation
import HeadwayStore
import Hummingbird

/// `GET /feeds/status.atom`: the status changes of the event log as an Atom feed
/// (`AtomFeed`), of every commitment, of those with a tag (`tag=`) or of one (`commitment=`).
struct StatusFeed: Sendable {
    let reads: Reads
    let links: PublicLinks

    static let path = "/feeds/status.atom"
    /// At most this many entries, the newest.
    static let limit = 100

    func addRoutes(to router: Router<BasicRequestContext>) {
        router.get(RouterPath(Self.path)) { request, _ in try await feed(request) }
        API.refuseOtherMethods(router, RouterPath(Self.path), allowed: [.get])
    }

    func feed(_ request: Request) async throws -> Response {
        let parameters = try Queries.checked(request.uri, allowed: ["tag", "commitment"])
        let tag = try Queries.single("tag", parameters), commitment = try Queries.single("commitment", parameters)
        let base = try links.base(request)
        let changes = try await reads.withSnapshot { workspace -> [EventLog.StatusChange]? in
            if let commitment, try !workspace.events.commitmentExists(commitment) { return nil }
            return try workspace.events.statusChanges(tag: tag, commitment: commitment, limit: Self.limit)
        }
        guard let changes else { throw Problem.notFound("no commitment with key \(String(reflecting: commitment ?? ""))") }
        let now = ISO8601DateFormatter().string(from: Date())
        let document = AtomFeed.document(AtomFeed.Feed(changes: changes, tag: tag, commitment: commitment, base: base, now: now))
        return Response(
            status: .ok, headers: [.contentType: "application/atom+xml; charset=utf-8", .xContentTypeOptions: "nosniff"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: document.text)))
    }
}
