import CLibPQ
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A notification received on a channel this connection listens on (`LISTEN`).
/// See https://www.postgresql.org/docs/current/libpq-notify.html.
public struct PostgresNotification: Sendable, Equatable {
    public let channel: String
    public let payload: String
}

extension PostgresConnection {
    /// Listens on `channel`: notifications sent to it from now on are received by
    /// `waitForNotifications`.
    public func listen(_ channel: String) throws {
        let quoted = "\"" + channel.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        try executeScript("LISTEN \(quoted)")
    }

    /// Waits up to `timeout` for notifications, blocking the calling thread (never call it on
    /// an event loop), and returns those received: none when the time ran out.
    ///
    /// Waits with poll() on the connection's socket, then reads what arrived with
    /// `PQconsumeInput` and `PQnotifies`.
    /// - Throws: `PostgresError` with SQLSTATE 08006 once the connection is lost.
    public func waitForNotifications(timeout: Duration) throws -> [PostgresNotification] {
        var received = try takeNotifications()
        guard received.isEmpty else { return received }
        let socket = PQsocket(handle)
        guard socket >= 0 else { throw lost("the connection has no socket") }
        var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        let milliseconds = Int32(clamping: timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        let ready = poll(&descriptor, 1, milliseconds)
        if ready < 0 && errno != EINTR { throw lost("poll failed: \(String(cString: strerror(errno)))") }
        if ready > 0 { received = try takeNotifications() }
        return received
    }

    /// Reads what the server sent and returns the notifications among it.
    private func takeNotifications() throws -> [PostgresNotification] {
        guard PQconsumeInput(handle) == 1, PQstatus(handle) == CONNECTION_OK else {
            throw lost(String(cString: PQerrorMessage(handle)).trimmingCharacters(in: .whitespacesAndNewlines))
        }
        var received: [PostgresNotification] = []
        while let notification = PQnotifies(handle) {
            received.append(PostgresNotification(
                channel: String(cString: notification.pointee.relname), payload: String(cString: notification.pointee.extra)))
            PQfreemem(notification)
        }
        return received
    }

    private func lost(_ message: String) -> PostgresError {
        PostgresError(kind: .client, message: "lost the connection to the database server: \(message)", sqlState: .connectionFailure)
    }
}
