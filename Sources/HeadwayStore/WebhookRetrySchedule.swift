import Foundation

/// When a failed webhook delivery is tried again: soon at first (a receiver restarting), then
/// ever further apart, as Standard Webhooks' reference service (Svix) does, for more than 24
/// hours in all. After the last attempt fails the hook is disabled with the reason.
public struct WebhookRetrySchedule: Sendable {
    /// Seconds from each failed attempt to the next: 5 s, 10 s, 30 s, 1 min, 2 min, 5 min, 30 min,
    /// 2 h, 5 h, 10 h, 10 h: 27.6 hours in all before jitter (which only adds), over twelve
    /// attempts. Six of them in the first four minutes: a receiver back from a restart hears soon.
    public static let delays: [Double] = [5, 10, 30, 60, 120, 300, 1_800, 7_200, 18_000, 36_000, 36_000]

    /// Multiplies every delay: 1 in service; tests make it small (HEADWAY_WEBHOOK_RETRY_SCALE),
    /// so that a whole schedule passes in seconds.
    public var scale: Double
    /// Up to this fraction is added to each delay at random, so that receivers that failed
    /// together are not all tried again at the same instant.
    public var jitter: Double

    public init(scale: Double = 1, jitter: Double = 0.2) {
        self.scale = scale
        self.jitter = jitter
    }

    /// The schedule `headway serve` uses: scaled by HEADWAY_WEBHOOK_RETRY_SCALE when it is set
    /// (a positive number; for tests).
    /// - Throws: `HeadwayError` (input) for a value that is not a positive number.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> WebhookRetrySchedule {
        guard let text = environment["HEADWAY_WEBHOOK_RETRY_SCALE"] else { return WebhookRetrySchedule() }
        guard let scale = Double(text), scale > 0, scale.isFinite else {
            throw HeadwayError("HEADWAY_WEBHOOK_RETRY_SCALE must be a positive number (1 is the real schedule), not \(String(reflecting: text))", kind: .input)
        }
        return WebhookRetrySchedule(scale: scale)
    }

    /// The attempts made in all before a delivery is given up.
    public var attempts: Int { Self.delays.count + 1 }

    /// Seconds to wait after failed attempt `attempt` (1 for the first); nil when it was the last.
    public func delay(afterAttempt attempt: Int) -> Double? {
        guard attempt >= 1, attempt <= Self.delays.count else { return nil }
        return Self.delays[attempt - 1] * scale * (1 + Double.random(in: 0...max(jitter, 0)))
    }
}
