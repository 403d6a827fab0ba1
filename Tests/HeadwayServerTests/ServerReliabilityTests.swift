import Foundation
import HeadwayServer
import HeadwayStore
import TestSupport
import Testing

/// What no client can do to the server (docs/RELIABILITY.md): many at once, slow or idle ones,
/// malformed or oversized requests, and whatever a property-based fuzzer makes of the OpenAPI
/// document.
@Suite struct ServerReliabilityTests {
    @Test func twoHundredConcurrentConnectionsAreAllAnswered() async throws {
        let server = try await RunningServer(url: try Portfolio.create())
        let port = server.port
        let statuses = try await offloaded {
            // All open at once before any request is sent.
            let connections = try (0..<200).map { _ in try RawConnection(port: port) }
            for (index, connection) in connections.enumerated() {
                try connection.get(["/healthz", "/api/v1/summary", "/api/v1/commitments/closures-100", "/api/v1/openapi.json"][index % 4])
            }
            return connections.map { connection in
                connection.read(timeout: .seconds(60)) { $0.contains("\r\n\r\n") }
                return connection.status ?? 0
            }
        }
        #expect(statuses == Array(repeating: 200, count: 200))
        try await server.stop()
    }

    @Test func slowAndIdleClientsTimeOutWithoutStarvingOthers() async throws {
        var limits = ServerLimits()
        limits.idleTimeout = .seconds(1)
        let server = try await RunningServer(url: try Portfolio.create(), limits: limits)
        let port = server.port
        let idle = try await offloaded { try RawConnection(port: port) }
        // A request head trickled a byte every 100 ms: complete after 3 s, if it were let.
        let slow = Task {
            try await offloaded {
                let connection = try RawConnection(port: port)
                for byte in "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" {
                    if (try? connection.send(String(byte))) == nil || connection.waitForClose(timeout: .milliseconds(100)) { break }
                }
                return connection
            }
        }
        // Meanwhile everyone else is answered.
        for _ in 0..<20 { #expect(try await server.get("/healthz").status == 200) }
        // Both are closed once the idle timeout passes (a loaded machine may take longer).
        let trickled = try await slow.value
        let closed = try await offloaded { trickled.waitForClose(timeout: .seconds(30)) }
        #expect(closed, "port \(port), socket's peer \(String(describing: trickled.peerPort)), received \(trickled.text.debugDescription)")
        #expect(trickled.status == nil, "the trickled request was not answered: \(trickled.text)")
        #expect(try await offloaded { idle.waitForClose(timeout: .seconds(30)) }, "port \(port), socket's peer \(String(describing: idle.peerPort))")
        #expect(try await server.get("/healthz").status == 200)
        try await server.stop()
    }

    @Test func malformedAndOversizedRequestsAreRefusedCleanly() async throws {
        let server = try await RunningServer(url: try Portfolio.create())
        let port = server.port
        let requests = [
            "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: \(String(repeating: "a", count: 100_000))\r\n\r\n",
            "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n" + (0..<2_000).map { "X-\($0): 1\r\n" }.joined() + "\r\n",
            "HELLO WORLD\r\n\r\n",
            "GET /healthz HTTP/9.9\r\n\r\n",
            "GET /healthz HTTP/1.1\r\nthis is no header\r\n\r\n",
            "\u{1}\u{2}\u{3}\r\n\r\n",
        ]
        for request in requests {
            let status = try await offloaded {
                let connection = try RawConnection(port: port)
                try? connection.send(request)
                connection.read(timeout: .seconds(30)) { $0.contains("\r\n\r\n") }
                return connection.status
            }
            #expect(status.map { (400..<500).contains($0) } == true, "\(request.prefix(40).debugDescription): \(String(describing: status))")
            #expect(try await server.get("/healthz").status == 200)
        }
        try await server.stop()
    }

    /// schemathesis (PyPI), installed by scripts/install-dependencies: every check, against the
    /// document the server serves. Not the event stream, which never ends.
    @Test func schemathesisFindsNoServerErrorAndNoAnswerOutsideTheDocument() async throws {
        guard let schemathesis = Self.schemathesis() else {
            Issue.record("schemathesis is not installed: run scripts/install-dependencies (or: pip install --user schemathesis)")
            return
        }
        let server = try await RunningServer(url: try Portfolio.create())
        let port = server.port
        let outcome = try await offloaded {
            try ChildProcess(
                [
                    schemathesis, "run", "http://127.0.0.1:\(port)/api/v1/openapi.json", "--checks", "all", "--exclude-path", "/api/v1/events",
                    // A schema cannot say which strings are dates or cursors this server gave out:
                    // those are 400s with a problem, not answers outside the document.
                    "--exclude-checks", "positive_data_acceptance",
                    "--max-examples", "40", "--phases", "examples,coverage,fuzzing", "--no-color", "--seed", "1", "--generation-database", "none",
                    // Other tests of the suite may keep this process busy for a while: slow is not wrong.
                    "--request-timeout", "60",
                ], separateErrors: true
            ).wait()
        }
        try await server.stop()
        #expect(outcome.status == 0, "\(outcome.output)\n\(outcome.errors)")
        #expect(!server.log.text.contains { $0.contains(" 500 ") || $0.contains("status=500") })
    }

    /// `$SCHEMATHESIS`, the virtual environment scripts/install-dependencies makes, or the PATH's.
    static func schemathesis() -> String? {
        let environment = ProcessInfo.processInfo.environment
        let candidates: [String?] = [environment["SCHEMATHESIS"], ResourceLocator.sourceRoot.appendingPathComponent(".build/schemathesis/bin/schemathesis").path]
            + (environment["PATH"] ?? "").split(separator: ":").map { "\($0)/schemathesis" }
        return candidates.compactMap { $0 }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
