import Foundation
import HeadwayStore

/// What the server knows of the stored events: the last event's id, which is the version of the
/// stored state (ETags are made from it), and the clients following the stream live.
///
/// Fed by the `EventListener`'s thread, read by requests: guarded by a lock, and nothing is
/// awaited while it is held.
final class EventHub: @unchecked Sendable {
    /// What a live subscriber receives.
    enum Item: Sendable {
        case event(StoredEvent)
        case keepalive
    }

    struct Subscription {
        let id: Int
        let items: AsyncStream<Item>
    }

    /// Items a subscriber may fall behind by; a client that reads slower is disconnected (its
    /// browser reconnects with Last-Event-ID and is replayed the rest from the database).
    static let backlog = 1_000

    let maximumSubscribers: Int
    private let lock = NSLock()
    private var lastID: Int64?
    private var subscribers: [Int: AsyncStream<Item>.Continuation] = [:]
    private var subscriptionCount = 0
    private var closed = false

    init(maximumSubscribers: Int) {
        self.maximumSubscribers = maximumSubscribers
    }

    /// The id of the last stored event; nil until the database was first read.
    var version: Int64? { lock.withLock { lastID } }

    var subscriberCount: Int { lock.withLock { subscribers.count } }

    var hasRoom: Bool { lock.withLock { !closed && subscribers.count < maximumSubscribers } }

    /// Takes the database's last id: on first reading it, or when it is lower than ours (the
    /// database was replaced): then the version changes, and so does every ETag.
    func start(at id: Int64) {
        lock.withLock { lastID = id }
    }

    /// Hands newly stored events, in id order, to every subscriber; ids at or below the version are skipped.
    func publish(_ events: [StoredEvent]) {
        let fresh = lock.withLock {
            let fresh = events.filter { $0.id > (lastID ?? 0) }
            if let last = fresh.last { lastID = last.id }
            return fresh
        }
        for event in fresh { send(.event(event)) }
    }

    /// A comment to every subscriber, so proxies keep the connection and dead clients are noticed.
    func keepalive() { send(.keepalive) }

    /// A new live subscriber; nil when there are `maximumSubscribers` already or the server is stopping.
    func subscribe() -> Subscription? {
        let (items, continuation) = AsyncStream<Item>.makeStream(bufferingPolicy: .bufferingOldest(Self.backlog))
        let id: Int? = lock.withLock {
            guard !closed, subscribers.count < maximumSubscribers else { return nil }
            subscriptionCount += 1
            subscribers[subscriptionCount] = continuation
            return subscriptionCount
        }
        guard let id else { return nil }
        continuation.onTermination = { [weak self] _ in self?.unsubscribe(id) }
        return Subscription(id: id, items: items)
    }

    func unsubscribe(_ id: Int) {
        let continuation = lock.withLock { subscribers.removeValue(forKey: id) }
        continuation?.finish()
    }

    /// Ends every stream and refuses new ones: the server is shutting down, and its streams
    /// would otherwise keep it waiting for ever.
    func close() {
        let ending = lock.withLock {
            closed = true
            defer { subscribers.removeAll() }
            return Array(subscribers.values)
        }
        for continuation in ending { continuation.finish() }
    }

    private func send(_ item: Item) {
        let current = lock.withLock { subscribers }
        for (id, continuation) in current {
            if case .dropped = continuation.yield(item) { unsubscribe(id) }
        }
    }
}
