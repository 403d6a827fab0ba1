import Foundation
import HeadwayStore

#if canImport(Glibc)
    import Glibc
#endif

/// A plain TCP connection to a test server, for what URLSession cannot do: a stream read as it
/// comes, a request sent a byte at a time, malformed requests. Blocking: use it through `offloaded`.
final class RawConnection: @unchecked Sendable {
    let descriptor: Int32
    private(set) var received = Data()
    /// The server closed the connection.
    private(set) var closedByPeer = false

    init(port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard descriptor >= 0, connected else {
            if descriptor >= 0 { Glibc.close(descriptor) }
            throw HeadwayError("could not connect to 127.0.0.1:\(port)")
        }
    }

    deinit { Glibc.close(descriptor) }

    func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { throw HeadwayError("send failed: \(String(cString: strerror(errno)))") }
            sent += count
        }
    }

    /// A GET request with `headers`.
    func get(_ pathAndQuery: String, headers: [String: String] = [:]) throws {
        let fields = headers.map { "\($0.key): \($0.value)\r\n" }.joined()
        try send("GET \(pathAndQuery) HTTP/1.1\r\nHost: 127.0.0.1\r\n\(fields)\r\n")
    }

    var text: String { String(decoding: received, as: UTF8.self) }

    /// The port at the other end, as the socket says now.
    var peerPort: Int? {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(descriptor, $0, &length) == 0 } }
        return named ? Int(UInt16(bigEndian: address.sin_port)) : nil
    }

    /// Reads until `done` holds for what was received, the server closes, or `timeout` passes;
    /// returns whether `done` holds.
    @discardableResult
    func read(timeout: Duration, until done: (String) -> Bool) -> Bool {
        let end = ContinuousClock.now + timeout
        while !done(text), !closedByPeer {
            let left = end - ContinuousClock.now
            guard left > .zero else { break }
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let milliseconds = Int32(left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000) + 1
            guard poll(&poller, 1, milliseconds) > 0 else { continue }
            var buffer = [UInt8](repeating: 0, count: 65_536)
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count <= 0 { closedByPeer = true } else { received.append(contentsOf: buffer[..<count]) }
        }
        return done(text)
    }

    /// Reads until the server closes the connection or `timeout` passes; returns whether it closed.
    func waitForClose(timeout: Duration) -> Bool {
        read(timeout: timeout) { _ in false }
        return closedByPeer
    }

    /// The status code of the response received, if its status line has arrived.
    var status: Int? {
        guard text.hasPrefix("HTTP/1.1 ") else { return nil }
        return Int(text.dropFirst(9).prefix(3))
    }

    /// The lines received. (Swift takes "\r\n" for one Character, so it is split apart first.)
    var lines: [Substring] { text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n") }

    /// Server-Sent Events received so far (their chunked framing is skipped: each event is
    /// written in one chunk, so its lines are whole).
    var events: [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        var id: Int64?
        var type: String?
        for line in lines {
            if line.hasPrefix("id: ") {
                id = Int64(line.dropFirst(4))
            } else if line.hasPrefix("event: ") {
                type = String(line.dropFirst(7))
            } else if line.hasPrefix("data: "), let eventID = id, let eventType = type {
                events.append(ServerSentEvent(id: eventID, type: eventType, data: String(line.dropFirst(6))))
                (id, type) = (nil, nil)
            }
        }
        return events
    }

    /// Comment lines received (`: keepalive`).
    var comments: [String] { lines.filter { $0.hasPrefix(": ") }.map(String.init) }
}

struct ServerSentEvent: Equatable, CustomStringConvertible {
    let id: Int64
    let type: String
    let data: String

    var object: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(data.utf8))) as? [String: Any] ?? [:] }
    var description: String { "\(id) \(type) \(data)" }
}

/// Runs blocking work on a thread of its own, not on Swift's cooperative threads, which the
/// server in this process needs.
func offloaded<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
    }
}
