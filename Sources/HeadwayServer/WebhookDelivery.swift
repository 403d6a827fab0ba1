import Foundation
import HeadwayStore
import Logging

/// Delivers the webhooks for `headway serve`, beside the serving and apart from it: a database
/// connection of its own (a pool of one), its own HTTP client, and each hook's attempt in a task
/// of its own, so a slow receiver holds up neither requests nor other hooks.
///
/// It looks for due work when the event listener has seen new events, when a hook's burst has
/// ended (it may have more), and every `pollInterval` (retries falling due, events stored while
/// the listener was away). Everything it knows is in the database (`WebhookOutbox`):
/// killed at any point, a server (this one restarted, or another) carries on from there.
final class WebhookDelivery: @unchecked Sendable {
    /// Hooks being worked at once; further due ones wait for the next look.
    static let maximumInFlight = 32
    static let pollInterval = Duration.seconds(1)
    /// How long a hook's lease lasts when its holder goes quiet without going away: longer than
    /// resolving, connecting and the request's own timeout together.
    static let leaseSeconds = 60
    /// Messages sent to one hook in a row before it goes back in line.
    static let burst = 100

    private let database: DatabasePool
    private let sender: WebhookSender
    private let hub: EventHub
    private let publicURL: String?
    private let schedule: WebhookRetrySchedule
    private let logger: Logger
    // Guards `inFlight` and `woken`, which the attempts' tasks change.
    private let state = NSLock()
    private var inFlight = 0
    private var woken = false

    /// - Throws: `HeadwayError` when `trustedCAFile` cannot be read.
    init(databaseURL: String, hub: EventHub, publicURL: String?, schedule: WebhookRetrySchedule, trustedCAFile: String?, logger: Logger) throws {
        sender = try WebhookSender(trustedCAFile: trustedCAFile)
        database = DatabasePool(url: databaseURL, size: 1, applicationName: "headway serve webhooks", logger: logger)
        self.hub = hub
        self.publicURL = publicURL
        self.schedule = schedule
        self.logger = logger
    }

    /// Delivers until the task is cancelled. Attempts cut short then are not recorded: their
    /// hooks are free as soon as this server's connection closes, and are tried again.
    func run() async {
        await withDiscardingTaskGroup { group in
            var seenVersion = hub.version
            var lastLook = ContinuousClock.now - Self.pollInterval
            var outage = false
            while !Task.isCancelled {
                let version = hub.version
                let room = state.withLock { Self.maximumInFlight - inFlight }
                if room > 0, takeWake() || version != seenVersion || ContinuousClock.now - lastLook >= Self.pollInterval {
                    seenVersion = version
                    lastLook = ContinuousClock.now
                    do {
                        let claims = try await database.withWorkspace { try $0.webhookOutbox.claim(limit: room, leaseSeconds: Self.leaseSeconds) }
                        if outage { logger.info("delivering webhooks again") }
                        outage = false
                        for claim in claims {
                            state.withLock { inFlight += 1 }
                            group.addTask {
                                await self.attempt(claim)
                                self.state.withLock { self.inFlight -= 1 }
                            }
                        }
                    } catch where HeadwayError.isInsufficientPrivilege(error) {
                        logger.warning("webhooks are not delivered by this server: its login may not use headway.webhooks (\(error))")
                        return
                    } catch {
                        if !outage { logger.warning("cannot look for webhooks to deliver; retrying: \(error)") }
                        outage = true
                    }
                }
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    /// Stops the HTTP client and closes the connection; after `run` has returned.
    func shutdown() async {
        await sender.shutdown()
        try? await database.shutdown()
    }

    /// Sends the hook's messages that are due, one after another under one lease, until one
    /// fails, none is left, or `burst` have gone (then other hooks get their turn).
    private func attempt(_ claim: WebhookOutbox.Claim) async {
        do {
            let (publicURL, schedule) = (publicURL, schedule)
            for _ in 0..<Self.burst {
                guard let message = try await database.withWorkspace({ try $0.webhookOutbox.nextMessage(claim, publicURL: publicURL) }) else { break }
                let outcome = await sender.send(message, for: claim)
                guard !Task.isCancelled else { return }
                let recorded = try await database.withWorkspace { try $0.webhookOutbox.record(outcome, of: message, for: claim, schedule: schedule) }
                switch recorded {
                case .delivered:
                    logger.debug("webhook \(claim.hook): delivered \(message.id)")
                    continue
                case .retrying(let seconds):
                    logger.info("webhook \(claim.hook): \(message.id) not delivered (\(Self.reason(outcome))); trying again in \(Self.seconds(seconds))")
                case .disabled(let reason):
                    logger.warning("webhook \(claim.hook) disabled: \(reason)")
                case .leaseLost:
                    logger.info("webhook \(claim.hook): another server took the hook over while \(message.id) was being sent")
                }
                return  // the lease was let go
            }
            try await database.withWorkspace { try $0.webhookOutbox.release(claim) }
            state.withLock { woken = true }
        } catch {
            logger.warning("webhook \(claim.hook): \(error)")
        }
    }

    private func takeWake() -> Bool {
        state.withLock {
            defer { woken = false }
            return woken
        }
    }

    private static func reason(_ outcome: WebhookOutbox.Outcome) -> String {
        switch outcome {
        case .delivered(let status): "HTTP \(status)"
        case .failed(_, let error): error
        }
    }

    private static func seconds(_ value: Double) -> String {
        value < 10 ? String(format: "%.1f s", value) : "\(Int(value.rounded())) s"
    }
}
