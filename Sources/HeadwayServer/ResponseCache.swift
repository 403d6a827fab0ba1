import Foundation
import Hummingbird

/// The API's recent answers, by ETag. A tag names the stored state's version, the date and what
/// was asked (`RevalidationMiddleware.tag`), so an answer kept under it stays right until the
/// version changes: a wall screen or a hundred dashboards asking for the same list then cost
/// the database nothing. Bounded in bytes; when full, the oldest answers go first, and a new
/// version drops every answer of the old one.
///
/// A write through this server changes the state before its events reach the version (the
/// listener hears of them a moment later): until then nothing is answered from or kept in the
/// cache (`withhold`), so a client reads its own writes.
///
/// Shared by requests on every event loop: guarded by a lock.
final class ResponseCache: @unchecked Sendable {
    /// At most this many bytes of bodies are kept; an answer over a quarter of it is not kept.
    let capacity: Int
    private let lock = NSLock()
    private var version: Int64?
    /// No answer of a version below this is served or kept (see `withhold`).
    private var floor: Int64 = .min
    private var answers: [String: Answer] = [:]
    private var order: [String] = []  // tags, oldest first
    private var bytes = 0
    /// Small values worked out from the state, by name (see `fact`); dropped with the answers.
    private var facts: [String: any Sendable] = [:]
    static let maximumFacts = 1000
    /// Reads started before they are asked for (the list's next page), by what they read;
    /// dropped with the answers, and each handed out once.
    private var prepared: [AnyHashable: any Sendable] = [:]
    private var preparedOrder: [AnyHashable] = []  // oldest first
    static let maximumPrepared = 4

    private struct Answer {
        let headers: HTTPFields
        let body: ByteBuffer
    }

    init(capacity: Int = 16 << 20) {
        self.capacity = capacity
    }

    /// The answer kept under `tag` (of state `version`), as a fresh response.
    func answer(for tag: String, version: Int64) -> Response? {
        lock.withLock { version < floor ? nil : answers[tag] }.map { Response(status: .ok, headers: $0.headers, body: ResponseBody(byteBuffer: $0.body)) }
    }

    /// Whether answers of state `version` are withheld (a write through this server may have
    /// changed what they show): a client's ETag of it is not answered 304 either.
    func isWithheld(_ version: Int64) -> Bool { lock.withLock { version < floor } }

    /// After a write at state `version`: answers of that version or older are neither served
    /// nor kept, since the write may have changed what they show.
    func withhold(through version: Int64) {
        lock.withLock {
            floor = max(floor, version + 1)
            if let kept = self.version, kept < floor { dropAll() }
        }
    }

    /// Keeps a 200 answer under `tag` (made at state `version`) and returns it to be sent: its
    /// body is read into memory once, for both.
    func keep(_ response: Response, tag: String, version: Int64) async throws -> Response {
        guard response.status == .ok, let length = response.body.contentLength, length <= capacity / 4 else { return response }
        let collector = BodyCollector()
        try await response.body.write(collector)
        let body = collector.buffer
        lock.withLock {
            guard admits(version), answers[tag] == nil else { return }
            while bytes + body.readableBytes > capacity, !order.isEmpty {
                bytes -= answers.removeValue(forKey: order.removeFirst())?.body.readableBytes ?? 0
            }
            answers[tag] = Answer(headers: response.headers, body: body)
            order.append(tag)
            bytes += body.readableBytes
        }
        return Response(status: .ok, headers: response.headers, body: ResponseBody(byteBuffer: body))
    }

    /// A small value worked out from the stored state at `version` (the status counts every
    /// overview page shows, how many commitments a filter matches), kept and withheld as the
    /// answers are, so pages that differ only in their rows do not work it out again. `make`
    /// runs outside the lock; with no version (not read yet), it runs every time.
    func fact<Value: Sendable>(_ name: String, version: Int64?, make: () throws -> Value) rethrows -> Value {
        guard let version else { return try make() }
        if let known = lock.withLock({ () -> Value? in
            version < floor || self.version != version ? nil : facts[name] as? Value
        }) { return known }
        let value = try make()
        lock.withLock {
            guard admits(version) else { return }
            // A bound on names made from requests (a filter's text search): full, it starts again.
            if facts.count >= Self.maximumFacts, facts[name] == nil { facts.removeAll() }
            facts[name] = value
        }
        return value
    }

    /// Starts `read` (made at state `version`) for a request expected soon, which `takePrepared`
    /// then hands it: unless one for `key` is kept already, or the version may not be kept. At
    /// most `maximumPrepared` are kept; the oldest goes first.
    func prepare<Value: Sendable>(_ key: AnyHashable, version: Int64, read: @escaping @Sendable () async throws -> Value) {
        lock.withLock {
            guard admits(version), prepared[key] == nil else { return }
            if preparedOrder.count >= Self.maximumPrepared { prepared[preparedOrder.removeFirst()] = nil }
            prepared[key] = Task(operation: read)
            preparedOrder.append(key)
        }
    }

    /// A page read through `read`: the one read ahead for `key` at state `version` when there is
    /// one (a read ahead that failed, the database gone meanwhile, is made again, as any read),
    /// and then, when `next` names a following page and `idle` says a pool thread is free, that
    /// one read ahead for the request expected soon. The JSON list and the dashboard's overview
    /// both page this way.
    func readAhead<Key: Hashable & Sendable, Value: Sendable>(
        _ key: Key, version: Int64?, idle: Bool, read: @escaping @Sendable (Key) async throws -> Value, next: (Value) -> Key?
    ) async throws -> Value {
        let prepared = version.flatMap { takePrepared(key, version: $0, as: Value.self) }
        let value: Value
        if let ready = try? await prepared?.value { value = ready } else { value = try await read(key) }
        if let version, idle, let following = next(value) {
            prepare(following, version: version) { try await read(following) }
        }
        return value
    }

    /// The read prepared for `key` at state `version`, taken out of the cache; nil if there is
    /// none of that version, or it is withheld.
    func takePrepared<Value: Sendable>(_ key: AnyHashable, version: Int64, as: Value.Type) -> Task<Value, any Error>? {
        lock.withLock {
            guard version >= floor, self.version == version, let task = prepared.removeValue(forKey: key) else { return nil }
            preparedOrder.removeAll { $0 == key }
            return task as? Task<Value, any Error>
        }
    }

    /// Whether something made at state `version` may be kept: not while withheld, nor for a
    /// version older than what is kept (a slow request's), which would drop the newer. A newer
    /// version drops everything kept for the old one. The caller holds the lock.
    private func admits(_ version: Int64) -> Bool {
        guard version >= floor, version >= self.version ?? .min else { return false }
        if self.version != version {
            self.version = version
            dropAll()
        }
        return true
    }

    /// Forgets every answer, fact and prepared read; the caller holds the lock.
    private func dropAll() { (answers, order, bytes, facts, prepared, preparedOrder) = ([:], [], 0, [:], [:], []) }

    /// Bytes of bodies kept now.
    var size: Int { lock.withLock { bytes } }
}

/// Reads a response body into one buffer.
private final class BodyCollector: ResponseBodyWriter, @unchecked Sendable {
    var buffer = ByteBuffer()

    func write(_ buffer: ByteBuffer) async throws {
        // An answer made whole (most are) is kept as it is, not copied.
        guard self.buffer.readableBytes > 0 else {
            self.buffer = buffer
            return
        }
        var buffer = buffer
        self.buffer.writeBuffer(&buffer)
    }

    func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
