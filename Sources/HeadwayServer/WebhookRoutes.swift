import Foundation
import HeadwayReport
import HeadwayStore
import Hummingbird

/// `/api/v1/webhooks`: what `headway webhook` does, over HTTP, for write tokens only (a hook's
/// address and its deliveries are no reader's business, and its secret is shown once).
struct WebhookRoutes: Sendable {
    let pool: DatabasePool
    let access: Access

    /// The largest hook description taken, as JSON.
    static let maxBodyBytes = 64 << 10

    func addRoutes(to router: Router<BasicRequestContext>) {
        let hooks = router.group("api/v1/webhooks")
        hooks.get { request, _ in
            try await access.require(.write, request)
            return jsonResponse(.array(try await pool.withWorkspace { try $0.webhooks.list() }.map(Self.json)))
        }
        hooks.post { request, _ in try await add(request) }
        API.refuseOtherMethods(hooks, "", allowed: [.get, .post])
        hooks.get(":id") { request, context in
            let id = try await existing(request, context)
            return jsonResponse(Self.json(try await pool.withWorkspace { try $0.webhooks.hook(id) }))
        }
        hooks.delete(":id") { request, context in
            let id = try await existing(request, context)
            try await pool.withWorkspace { try $0.webhooks.remove(id: id) }
            return Response(status: .noContent)
        }
        API.refuseOtherMethods(hooks, ":id", allowed: [.get, .delete])
        hooks.post(":id/rotate-secret") { request, context in
            let id = try await existing(request, context)
            let secret = try await pool.withWorkspace { try $0.webhooks.rotateSecret(id: id) }
            return jsonResponse(.object([("id", .number(String(id))), ("secret", .string(secret))]))
        }
        API.refuseOtherMethods(hooks, ":id/rotate-secret", allowed: [.post])
        hooks.get(":id/deliveries") { request, context in
            let id = try await existing(request, context)
            let failed = try Self.flag(request.uri.queryParameters.get("failed"), name: "failed")
            let deliveries = try await pool.withWorkspace { try $0.webhooks.deliveries(hook: id, failedOnly: failed) }
            return jsonResponse(.array(deliveries.map(Self.json)))
        }
        API.refuseOtherMethods(hooks, ":id/deliveries", allowed: [.get])
    }

    /// `POST /api/v1/webhooks`: `{"url": …, "events": [...], "tag": …, "commitment": …,
    /// "description": …, "allow_private": false}`; answers 201 with the hook and its secret.
    private func add(_ request: Request) async throws -> Response {
        try await access.require(.write, request)
        _ = try WriteAPI.mediaType(request, accepted: ["application/json"])
        var buffer = ByteBuffer()
        for try await chunk in request.body {
            guard buffer.readableBytes + chunk.readableBytes <= Self.maxBodyBytes else { throw Problem.tooLarge(limit: Self.maxBodyBytes) }
            buffer.writeImmutableBuffer(chunk)
        }
        let new = try Self.newHook(Data(buffer.readableBytesView))
        let created = try await WriteAPI.answeringInputErrors { try await pool.withWorkspace { try $0.webhooks.add(new) } }
        guard case .object(let members) = Self.json(created.hook) else { preconditionFailure("a hook is a JSON object") }
        return Response(
            status: .created, headers: [.contentType: "application/json", .location: "/api/v1/webhooks/\(created.hook.id)"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: JSONValue.object(members + [("secret", .string(created.secret))]).compactText)))
    }

    /// The hook named in the path, after a write token; 404 when there is none.
    private func existing(_ request: Request, _ context: BasicRequestContext) async throws -> Int64 {
        try await access.require(.write, request)
        guard let text = context.parameters.get("id"), let id = Int64(text), id > 0 else {
            throw Problem.notFound("webhook ids are whole numbers (GET /api/v1/webhooks lists them)")
        }
        guard try await pool.withWorkspace({ try $0.webhooks.list().contains { $0.id == id } }) else {
            throw Problem.notFound("no webhook \(id)")
        }
        return id
    }

    static func newHook(_ body: Data) throws -> Webhooks.NewHook {
        guard let object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] else {
            throw Problem.badRequest("the body must be a JSON object such as {\"url\": \"https://hooks.example.org/headway\"}")
        }
        let known: Set<String> = ["url", "events", "tag", "commitment", "description", "allow_private"]
        if let unknown = object.keys.sorted().first(where: { !known.contains($0) }) {
            throw Problem.badRequest("unknown field \(String(reflecting: unknown)); the fields are \(known.sorted().joined(separator: ", "))")
        }
        func text(_ name: String) throws -> String? {
            guard let value = object[name], !(value is NSNull) else { return nil }
            guard let text = value as? String else { throw Problem.badRequest("\(name) must be a string") }
            return text
        }
        guard let url = try text("url") else { throw Problem.badRequest("url is required: where to POST the events") }
        let names = object["events"] as? [String] ?? []
        if object["events"] != nil, object["events"] as? [String] == nil { throw Problem.badRequest("events must be an array of strings") }
        let events = try names.map { name in
            guard let type = Webhooks.EventType(rawValue: name) else {
                throw Problem.badRequest("unknown event type \(String(reflecting: name)); the types are \(Webhooks.EventType.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return type
        }
        let allowPrivate = object["allow_private"] as? Bool ?? false
        if let value = object["allow_private"], !(value is Bool) { throw Problem.badRequest("allow_private must be true or false") }
        return Webhooks.NewHook(
            url: url, events: events, tag: try text("tag"), commitment: try text("commitment"), description: try text("description"), allowPrivate: allowPrivate)
    }

    static func flag(_ value: String?, name: String) throws -> Bool {
        switch value {
        case nil, "false", "0": false
        case "true", "1", "": true
        default: throw Problem.badRequest("\(name) must be true or false")
        }
    }

    static func json(_ hook: Webhooks.Hook) -> JSONValue {
        .object([
            ("id", .number(String(hook.id))), ("url", .string(hook.url)), ("events", .array(hook.events.map { .string($0.rawValue) })),
            ("tag", optional(hook.tag)), ("commitment", optional(hook.commitment)), ("description", optional(hook.description)),
            ("allow_private", .bool(hook.allowPrivate)), ("created_at", .string(hook.createdAt)), ("disabled_at", optional(hook.disabledAt)),
            ("disabled_reason", optional(hook.disabledReason)), ("pending", .number(String(hook.pending))),
            ("last_delivered_at", optional(hook.lastDeliveredAt)),
        ])
    }

    static func json(_ delivery: Webhooks.Delivery) -> JSONValue {
        .object([
            ("webhook", .number(String(delivery.hook))), ("message_id", .string(delivery.messageID)), ("event_id", .number(String(delivery.eventID))),
            ("type", .string(delivery.type)), ("commitment", optional(delivery.commitment)), ("state", .string(delivery.state.rawValue)),
            ("attempts", .number(String(delivery.attempts))), ("last_attempt_at", optional(delivery.lastAttemptAt)),
            ("last_status", delivery.lastStatus.map { .number(String($0)) } ?? .null), ("last_error", optional(delivery.lastError)),
            ("next_attempt_at", optional(delivery.nextAttemptAt)), ("delivered_at", optional(delivery.deliveredAt)),
        ])
    }

    private static func optional(_ text: String?) -> JSONValue { text.map(JSONValue.string) ?? .null }
}
