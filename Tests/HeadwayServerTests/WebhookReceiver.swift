import Foundation
import HeadwayPostgres
import HeadwayStore
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A real webhook receiver in a process of its own (webhooks/receiver.py), which the tests start,
/// kill and start again on the same port: the path of a hook's URL says how it answers (`/ok`,
/// `/fail`, `/fail-N`, `/slow-S`, `/hang`). Every request it got is read back from its log.
final class WebhookReceiver {
    struct Request {
        let path: String
        let headers: [String: String]
        let body: String
        /// Seconds since 1970, when it arrived.
        let received: Double
        /// What was answered; nil for a request that was never answered.
        let status: Int?
        /// The original JSON line, for verify.py.
        let line: String

        var id: String { headers["webhook-id"] ?? "" }
        var data: [String: Any] {
            ((try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any])?["data"] as? [String: Any] ?? [:]
        }
    }

    let port: Int
    let log: String
    /// PEM certificate and key files: the receiver speaks HTTPS with them.
    let tls: (certificate: String, key: String)?
    private var process: ChildProcess?

    static let directory = ResourceLocator.sourceRoot.appendingPathComponent("Tests/HeadwayServerTests/webhooks")

    init(tls: (certificate: String, key: String)? = nil) throws {
        self.tls = tls
        let socket = try LoopbackSocket()
        socket.close()
        port = socket.port
        log = FileManager.default.temporaryDirectory.appendingPathComponent("webhook-receiver-\(UUID().uuidString).log").path
        try start()
    }

    deinit {
        stop()
        unlink(log)
    }

    func url(_ path: String) -> String { "\(tls == nil ? "http" : "https")://127.0.0.1:\(port)\(path)" }

    /// Starts the receiver (again) on its port, and waits until it listens.
    func start() throws {
        unlink(log + ".ready")
        process = try ChildProcess(
            ["/usr/bin/env", "python3", Self.directory.appendingPathComponent("receiver.py").path, String(port), log] + (tls.map { [$0.certificate, $0.key] } ?? []))
        let deadline = Date().addingTimeInterval(20)
        while !FileManager.default.fileExists(atPath: log + ".ready") {
            guard Date() < deadline else { throw HeadwayError("the webhook receiver did not start (python3 webhooks/receiver.py)") }
            usleep(20_000)
        }
        unlink(log + ".ready")
    }

    /// Kills the receiver: it goes away mid-answer, as a crashed one does.
    func stop() {
        process?.send(SIGKILL)
        _ = try? process?.wait()
        process = nil
    }

    /// The requests received so far on `path` (every path when nil), in order of arrival.
    func requests(_ path: String? = nil) -> [Request] {
        guard let text = try? String(contentsOfFile: log, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            guard let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any],
                let requestPath = object["path"] as? String, path == nil || requestPath == path
            else { return nil }
            return Request(
                path: requestPath, headers: object["headers"] as? [String: String] ?? [:], body: object["body"] as? String ?? "",
                received: object["received"] as? Double ?? 0, status: object["status"] as? Int, line: String(line))
        }
    }

    /// Waits up to `timeout` until `path` has had `count` requests; returns them.
    func wait(for count: Int, on path: String, timeout: Duration = .seconds(30)) async throws -> [Request] {
        let deadline = ContinuousClock.now + timeout
        while requests(path).count < count && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        return requests(path)
    }

    /// Checks `requests`' signatures with `secret`, by the Standard Webhooks library and by
    /// Python's hmac (webhooks/verify.py); returns what it printed, and fails the test otherwise.
    static func verify(_ requests: [Request], secret: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("webhook-requests-\(UUID().uuidString).jsonl").path
        defer { unlink(file) }
        try Data(requests.map { $0.line + "\n" }.joined().utf8).write(to: URL(fileURLWithPath: file))
        let outcome = try ChildProcess(
            ["/usr/bin/env", "python3", directory.appendingPathComponent("verify.py").path, secret, file], separateErrors: true
        ).wait()
        #expect(outcome.status == 0, "verify.py: \(outcome.errors)", sourceLocation: sourceLocation)
        return outcome.output
    }
}

/// `headway serve` as a process of its own, delivering webhooks on a scaled-down retry schedule.
final class ServeProcess {
    let port: Int
    let process: ChildProcess

    init(url: String, retryScale: String = "0.01", arguments: [String] = []) async throws {
        let socket = try LoopbackSocket()
        socket.close()
        port = socket.port
        process = try HeadwayBinary.start(
            ["serve", "--port", String(port), "--public-url", "https://pledges.example.org"] + arguments, url: url,
            environment: ["HEADWAY_WEBHOOK_RETRY_SCALE": retryScale, "HEADWAY_LOG_LEVEL": "warning"])
        var health = 0
        for _ in 0..<600 where health != 200 {
            health = (try? await RunningServer.get(port: port, "/healthz").status) ?? 0
            if health != 200 { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(health == 200, "headway serve did not come up")
    }

    func kill() {
        process.send(SIGKILL)
        _ = try? process.wait()
    }

    /// Stops it as an operator does (SIGTERM) and returns its exit status.
    func stop() throws -> Int32 {
        process.send(SIGTERM)
        return try process.wait().status
    }
}

/// The `headway webhook` commands, as a user runs them.
enum WebhookCLI {
    /// `headway webhook add ARGUMENTS…`: the hook's id and its secret.
    static func add(_ arguments: [String], url: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> (id: Int64, secret: String) {
        let outcome = try HeadwayBinary.run(["webhook", "add"] + arguments, url: url)
        #expect(outcome.status == 0, "\(outcome.errors)", sourceLocation: sourceLocation)
        let lines = outcome.output.split(separator: "\n").map(String.init)
        let id = lines.first { $0.hasPrefix("id: ") }.flatMap { Int64($0.dropFirst(4)) }
        let secret = lines.first { $0.hasPrefix("secret: whsec_") }.map { String($0.dropFirst(8)) }
        return (try #require(id, sourceLocation: sourceLocation), try #require(secret, sourceLocation: sourceLocation))
    }

    static func run(_ arguments: [String], url: String) throws -> ChildProcess.Outcome {
        try HeadwayBinary.run(["webhook"] + arguments, url: url)
    }

    /// Flips commitment `key`'s present status (off_track ⇄ at_risk) with an assessment stored as
    /// SQL clients store one; returns the status before and after.
    @discardableResult
    static func changeStatus(_ url: String, key: String = "closures-100") throws -> (before: String, after: String) {
        let before = try PostgresConnection(url: url).query("SELECT status FROM headway.commitment_status WHERE key = \(key)")[0].decode(String.self, at: 0)
        let after = before == "off_track" ? "at_risk" : "off_track"
        try LiveEventsTests.insertAssessment(url, key: key, status: after)
        return (before, after)
    }

    /// A self-signed certificate for 127.0.0.1 and its key (PEM files, made by openssl), for an
    /// HTTPS receiver; the certificate is its own authority.
    static func selfSignedCertificate() throws -> (certificate: String, key: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("webhook-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let (certificate, key) = (directory.appendingPathComponent("cert.pem").path, directory.appendingPathComponent("key.pem").path)
        let outcome = try ChildProcess([
            "/usr/bin/env", "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", certificate, "-days", "2",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
        ]).wait()
        #expect(outcome.succeeded, "openssl: \(outcome.output)")
        return (certificate, key)
    }

    /// How the delivery of `messageID` stands in the database: its state and attempts.
    static func delivery(_ url: String, _ messageID: String) throws -> (state: String, attempts: Int)? {
        try PostgresConnection(url: url).query(
            """
            SELECT CASE WHEN delivered_at IS NOT NULL THEN 'delivered' WHEN failed_at IS NOT NULL THEN 'failed' ELSE 'pending' END, attempts
            FROM headway.webhook_deliveries WHERE message_id = \(messageID)
            """
        ).first.map { (try $0.decode(String.self, at: 0), try $0.decode(Int.self, at: 1)) }
    }
}
