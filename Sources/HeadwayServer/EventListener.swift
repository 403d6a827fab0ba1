import Foundation
import HeadwayStore
import Logging

/// Follows `headway.events` for the server: LISTENs on a connection of its own, on a thread of
/// its own (waiting on the socket blocks, so never on an event loop or Swift's threads), reads
/// each newly stored event and hands it to the `EventHub`.
///
/// When the database goes away the connection is replaced, again and again until it returns,
/// and the events stored meanwhile are read then: nothing is missed.
final class EventListener: @unchecked Sendable {
    private let url: String
    private let hub: EventHub
    private let logger: Logger
    /// How often the events are read even without a notification: a connection that died
    /// silently is noticed then.
    private let recheckInterval: Duration
    private let lock = NSLock()
    private var stopping = false
    private let stopped = DispatchSemaphore(value: 0)

    static let pollInterval = Duration.milliseconds(250)
    static let batchSize = 1_000

    init(url: String, hub: EventHub, logger: Logger, recheckInterval: Duration = .seconds(30)) {
        self.url = url
        self.hub = hub
        self.logger = logger
        self.recheckInterval = recheckInterval
    }

    func start() {
        let thread = Thread { [self] in
            follow()
            stopped.signal()
        }
        thread.name = "headway events"
        thread.start()
    }

    /// Ends the thread (within `pollInterval`) and closes its connection.
    func stop() async {
        lock.withLock { stopping = true }
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async { [stopped] in
                stopped.wait()
                done.resume()
            }
        }
    }

    private var isStopping: Bool { lock.withLock { stopping } }

    private func follow() {
        var retryDelay = Duration.milliseconds(100)
        var outage = false
        while !isStopping {
            do {
                let workspace = try Workspace(url: url, migrating: false, applicationName: "headway serve events", logger: logger)
                try workspace.listenForEvents()
                let log = workspace.events
                try catchUp(log)
                if outage { logger.info("following events again") }
                outage = false
                retryDelay = .milliseconds(100)
                var lastRead = ContinuousClock.now
                while !isStopping {
                    let announced = try workspace.waitForEvents(timeout: Self.pollInterval)
                    if announced || ContinuousClock.now - lastRead > recheckInterval {
                        try catchUp(log)
                        lastRead = ContinuousClock.now
                    }
                }
            } catch {
                if !outage { logger.warning("cannot follow events; retrying until the database answers: \(error)") }
                outage = true
                sleep(retryDelay)
                retryDelay = min(retryDelay * 2, .seconds(2))
            }
        }
    }

    /// Reads the events stored since the hub's version. The first time, only the version is taken.
    private func catchUp(_ log: EventLog) throws {
        let last = try log.lastID()
        guard let version = hub.version, last >= version else {
            hub.start(at: last)
            return
        }
        var after = version
        while true {
            let events = try log.events(after: after, limit: Self.batchSize)
            hub.publish(events)
            guard let newest = events.last, events.count == Self.batchSize else { return }
            after = newest.id
        }
    }

    /// Sleeps in short steps, so stopping is not held up.
    private func sleep(_ duration: Duration) {
        let end = ContinuousClock.now + duration
        while !isStopping, ContinuousClock.now < end { Thread.sleep(forTimeInterval: 0.05) }
    }
}
