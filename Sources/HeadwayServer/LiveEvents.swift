import Foundation
import HTTPTypes
import HeadwayStore
import Hummingbird
import Logging
import ServiceLifecycle

/// Limits that keep one client from holding up the others.
public struct ServerLimits: Sendable {
    /// A connection with no request in progress (idle, or still sending a request's head) is
    /// closed after this long.
    public var idleTimeout: Duration = .seconds(30)
    /// Clients following `GET /api/v1/events` at once; more get 503.
    public var eventSubscribers = 256
    /// How often an event stream with nothing to say sends a comment.
    public var keepaliveInterval: Duration = .seconds(15)

    public init() {}
}

/// The live side of the server: `GET /api/v1/events` (Server-Sent Events from `headway.events`,
/// sql/006) and ETag revalidation of the API's answers from the state's version.
struct LiveEvents: Sendable {
    let pool: DatabasePool
    let limits: ServerLimits
    let hub: EventHub
    /// Answers (and facts) kept by the state's version; the dashboard works out facts in it.
    let cache = ResponseCache()
    private let listener: EventListener

    static let path: RouterPath = "api/v1/events"

    init(databaseURL: String, pool: DatabasePool, limits: ServerLimits, logger: Logger) {
        self.pool = pool
        self.limits = limits
        hub = EventHub(maximumSubscribers: limits.eventSubscribers)
        listener = EventListener(url: databaseURL, hub: hub, logger: logger)
    }

    /// The revalidation middleware, for the routes added after this call, and the event stream.
    func addRoutes(to router: Router<BasicRequestContext>) {
        router.add(middleware: RevalidationMiddleware(hub: hub, cache: cache))
        router.get(Self.path) { request, _ in try await events(request) }
        // HEAD says what GET would answer without subscribing.
        router.head(Self.path) { request, _ in
            _ = try EventRequest(request)
            return Response(status: .ok, headers: Self.streamHeaders)
        }
        API.refuseOtherMethods(router, Self.path, allowed: [.get])
    }

    /// Follows the events while `body` (the application) runs. On graceful shutdown the
    /// streams end, so the server does not wait for them; then the listener stops.
    func serving(_ body: @escaping @Sendable () async throws -> Void) async throws {
        listener.start()
        // Answers are tagged once the version is known: the listener reads it as it connects.
        for _ in 0..<100 where hub.version == nil { try? await Task.sleep(for: .milliseconds(20)) }
        let keepalive = Task { [hub, limits] in
            while !Task.isCancelled {
                try? await Task.sleep(for: limits.keepaliveInterval)
                hub.keepalive()
            }
        }
        defer { keepalive.cancel() }
        do {
            try await withGracefulShutdownHandler(operation: body, onGracefulShutdown: { [hub] in hub.close() })
        } catch {
            hub.close()
            await listener.stop()
            throw error
        }
        hub.close()
        await listener.stop()
    }

    static let streamHeaders: HTTPFields = [.contentType: "text/event-stream", .cacheControl: "no-cache"]

    /// The stream: stored events after Last-Event-ID first, then live ones, each once, in id order.
    func events(_ request: Request) async throws -> Response {
        let asked = try EventRequest(request)
        var metric: String?
        if let key = asked.commitment {
            metric = try await pool.withWorkspace { try $0.events.metric(ofCommitment: key) }
            guard metric != nil else { throw Problem.notFound("no commitment with key \(String(reflecting: key))") }
        }
        let filter = EventFilter(types: asked.types, commitment: asked.commitment, metric: metric)
        guard hub.hasRoom else { throw Problem.unavailable("\(hub.maximumSubscribers) clients follow the events already; try again later") }
        let (hub, pool) = (hub, pool)
        return Response(status: .ok, headers: Self.streamHeaders, body: ResponseBody { writer in
            // Tells an EventSource to reconnect after 2 s, and sends the head at once.
            try await writer.write(ByteBuffer(string: "retry: 2000\n\n"))
            guard let subscription = hub.subscribe() else { return }
            defer { hub.unsubscribe(subscription.id) }
            var last = hub.version ?? 0
            if let resumeAfter = asked.lastEventID {
                // Not beyond the database's last event: a database replaced by an older one starts again lower.
                last = hub.version.map { min(resumeAfter, $0) } ?? resumeAfter
                while true {
                    let stored = try await pool.withWorkspace { [last] in try $0.events.events(after: last, limit: EventListener.batchSize) }
                    for event in stored where filter.admits(event) { try await writer.write(Self.text(event)) }
                    guard let newest = stored.last, stored.count == EventListener.batchSize else {
                        last = stored.last?.id ?? last
                        break
                    }
                    last = newest.id
                }
            }
            for await item in subscription.items {
                switch item {
                case .keepalive:
                    try await writer.write(ByteBuffer(string: ": keepalive\n\n"))
                case .event(let event):
                    guard event.id > last else { continue }
                    last = event.id
                    if filter.admits(event) { try await writer.write(Self.text(event)) }
                }
            }
            try await writer.finish(nil)
        })
    }

    static func text(_ event: StoredEvent) -> ByteBuffer {
        ByteBuffer(string: "id: \(event.id)\nevent: \(event.type)\ndata: \(event.data)\n\n")
    }
}

/// What `GET /api/v1/events` was asked: `type` (repeatable), `commitment`, and where to resume
/// (the `Last-Event-ID` header, or `last_event_id`).
struct EventRequest {
    let types: Set<String>
    let commitment: String?
    let lastEventID: Int64?

    static let lastEventIDField = HTTPField.Name("Last-Event-ID")!

    init(_ request: Request) throws {
        let parameters = try Queries.checked(request.uri, allowed: ["type", "commitment", "last_event_id"])
        let types = parameters.getAll("type")
        if let unknown = types.first(where: { !StoredEvent.types.contains($0) }) {
            throw Problem.badRequest("type \(String(reflecting: unknown)) is not one of \(StoredEvent.types.joined(separator: ", "))")
        }
        self.types = Set(types)
        commitment = try Queries.single("commitment", parameters)
        let resume = try Queries.single("last_event_id", parameters) ?? request.headers[Self.lastEventIDField]
        guard let resume else {
            lastEventID = nil
            return
        }
        guard let id = Int64(resume), id >= 0 else {
            throw Problem.badRequest("Last-Event-ID must be an event id (a whole number from 0), not \(String(reflecting: resume))")
        }
        lastEventID = id
    }
}

/// Which events a client asked for. A commitment's own events name it; figures and definitions
/// of its metric concern it too.
struct EventFilter: Sendable {
    var types: Set<String>
    var commitment: String?
    var metric: String?

    func admits(_ event: StoredEvent) -> Bool {
        guard types.isEmpty || types.contains(event.type) else { return false }
        guard let commitment else { return true }
        if event.commitments.contains(commitment) { return true }
        let concernsMetric = event.type == "observations" || event.type == "definitions"
        return concernsMetric && metric.map(event.metrics.contains) == true
    }
}
