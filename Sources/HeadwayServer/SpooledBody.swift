import Foundation
import HeadwayIngest
import HeadwayStore
import Hummingbird
import NIOCore
import NIOPosix

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A request body written to a private temporary file as it arrives: held in constant memory
/// whatever its size, and a file the loader can read (twice, when its fast path meets stored
/// figures). Received whole before any database work starts, so a slow client holds no lock on
/// the observations, and a client that goes away mid-body leaves nothing to load.
final class SpooledBody: Sendable {
    let path: String

    private init(path: String) { self.path = path }

    /// Writes `body` to a new file of its own, off the event loops, and returns it.
    /// - Throws: 413 `Problem` past `limit` bytes; whatever the body throws when its client goes away.
    static func receive(_ body: RequestBody, limit: Int, transform: (any BodyTransform)? = nil) async throws -> SpooledBody {
        // Named with this process's id, so that a later server can tell a file whose server is gone.
        var template = Array(FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)\(getpid())-XXXXXX").path.utf8CString)
        let descriptor = mkstemp(&template)  // 0600, a name no one else has
        guard descriptor >= 0 else { throw HeadwayError("cannot create a file for the request body: \(String(cString: strerror(errno)))") }
        let spooled = SpooledBody(path: String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        let file = SpoolFile(descriptor: descriptor)
        do {
            var received = 0
            for try await chunk in body {
                received += chunk.readableBytes
                guard received <= limit else { throw Problem.tooLarge(limit: limit) }
                let bytes = try transform.map { try $0.next(chunk) } ?? Array(chunk.readableBytesView)
                try await file.append(bytes)
            }
            if let rest = try transform?.finish() { try await file.append(rest) }
            try file.finish()
            return spooled
        } catch {
            try? file.finish()
            spooled.remove()
            throw error
        }
    }

    func remove() { unlink(path) }

    static let prefix = "headway-body-"

    /// Removes the spooled bodies of servers that are gone (killed mid-request, they could not
    /// remove their own): `headway-body-PID-…` whose process no longer exists.
    static func removeLeftovers() {
        let directory = FileManager.default.temporaryDirectory
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [] where name.hasPrefix(prefix) {
            guard let pid = pid_t(name.dropFirst(prefix.count).prefix { $0 != "-" }), pid != getpid() else { continue }
            if kill(pid, 0) == -1, errno == ESRCH { unlink(directory.appendingPathComponent(name).path) }
        }
    }
}

/// Turns a body into CSV as it streams through (JSON rows into observation CSV).
extension JSONRowsToCSV: BodyTransform {
    func next(_ chunk: ByteBuffer) throws -> [UInt8] { try chunk.withUnsafeReadableBytes { try next($0) } }
}

protocol BodyTransform: AnyObject {
    func next(_ chunk: ByteBuffer) throws -> [UInt8]
    /// What is left once the body has ended; throws when the body ended too early.
    func finish() throws -> [UInt8]
}

/// The spool's file descriptor; its blocking writes run on NIO's thread pool, not on an event loop.
private final class SpoolFile: @unchecked Sendable {
    private let descriptor: Int32  // written to by one task at a time: `receive` awaits each write
    private var closed = false

    init(descriptor: Int32) { self.descriptor = descriptor }

    func append(_ bytes: [UInt8]) async throws {
        guard !bytes.isEmpty else { return }
        try await NIOThreadPool.singleton.runIfActive { [descriptor] in
            var offset = 0
            while offset < bytes.count {
                let written = bytes[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
                if written < 0 {
                    if errno == EINTR { continue }
                    throw HeadwayError("cannot write the request body to disk: \(String(cString: strerror(errno)))")
                }
                offset += written
            }
        }
    }

    func finish() throws {
        guard !closed else { return }
        closed = true
        guard close(descriptor) == 0 else { throw HeadwayError("cannot write the request body to disk: \(String(cString: strerror(errno)))") }
    }
}
