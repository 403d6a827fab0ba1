import Foundation
import HeadwayServer
import HeadwayStore
import Logging
import TestSupport
import Testing

/// gzip, request ids and the Prometheus metrics, over real HTTP. curl asks for gzip here, since
/// it leaves the body as it came (URLSession may decode it out of sight).
@Suite struct OperationsLayerTests {
    /// Runs `work` on a thread of its own: waiting for a child process must not hold one of the
    /// few threads Swift's tasks share, or the server in this same process could not answer it.
    static func offThePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try work() }) }.start()
        }
    }

    /// What curl received: the head's fields (lower-cased names) and the body's bytes untouched.
    static func curl(_ url: String, headers: [String] = []) async throws -> (headers: [String: String], body: Data) {
        try await offThePool { try curlNow(url, headers: headers) }
    }

    private static func curlNow(_ url: String, headers: [String]) throws -> (headers: [String: String], body: Data) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("curl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let head = directory.appendingPathComponent("head").path, body = directory.appendingPathComponent("body").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["-sS", "--max-time", "60", "-D", head, "-o", body] + headers.flatMap { ["-H", $0] } + [url]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw HeadwayError("curl \(url) exited \(process.terminationStatus)") }
        var fields: [String: String] = [:]
        for line in try String(contentsOfFile: head, encoding: .utf8).split(separator: "\r\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return (fields, try Data(contentsOf: URL(fileURLWithPath: body)))
    }

    static func gunzip(_ data: Data) async throws -> Data {
        try await offThePool { try gunzipNow(data) }
    }

    private static func gunzipNow(_ data: Data) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/gzip")
        process.arguments = ["-dc"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(data)
        try input.fileHandleForWriting.close()
        let result = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw HeadwayError("gzip -dc exited \(process.terminationStatus)") }
        return result
    }

    @Test func gzipWhenAcceptedAndOnlyThen() async throws {
        let server = try await RunningServer(url: try Portfolio.create())
        let base = "http://127.0.0.1:\(server.port)"
        let plain = try await Self.curl(base + "/api/v1/commitments")
        let zipped = try await Self.curl(base + "/api/v1/commitments", headers: ["Accept-Encoding: gzip"])
        let refused = try await Self.curl(base + "/api/v1/commitments", headers: ["Accept-Encoding: gzip;q=0, identity"])
        let small = try await Self.curl(base + "/healthz", headers: ["Accept-Encoding: gzip"])
        try await server.stop()
        #expect(plain.body.count > 1024)
        #expect(plain.headers["content-encoding"] == nil)
        #expect(plain.headers["vary"] == "Accept-Encoding")
        #expect(zipped.headers["content-encoding"] == "gzip")
        #expect(zipped.headers["vary"] == "Accept-Encoding")
        #expect(zipped.body.count < plain.body.count / 2)
        #expect(zipped.headers["content-length"] == String(zipped.body.count))
        #expect(try await Self.gunzip(zipped.body) == plain.body)
        #expect(refused.headers["content-encoding"] == nil)
        #expect(refused.body == plain.body)
        #expect(small.headers["content-encoding"] == nil)  // 15 bytes: not worth it
        #expect(String(decoding: small.body, as: UTF8.self) == #"{"status":"ok"}"#)
    }

    @Test func metadataSetOnTheLoggerReachesEachLineUnderTheLinesOwn() {
        let capture = LogCapture()
        var logger = Logger(label: "headway.test") { _ in DeferredMetadataLogHandler(LogCapture.Handler(capture: capture)) }
        logger[metadataKey: "request_id"] = "a"
        logger[metadataKey: "path"] = "/set"
        logger.info("one", metadata: ["path": "/line"])
        logger[metadataKey: "request_id"] = nil
        logger.info("two")
        logger.debug("below the level")
        #expect(capture.text == ["info one path=/line request_id=a", "info two path=/set"])
    }

    @Test func requestIDsAreEchoedLoggedAndInProblems() async throws {
        let server = try await RunningServer(url: try Portfolio.create())
        let given = try await server.get("/api/v1/summary", headers: ["X-Request-Id": "trace-42.a:b"])
        let problem = try await server.get("/api/v1/commitments/no-such-key", headers: ["X-Request-Id": "trace-43"])
        let generated = try await server.get("/api/v1/summary")
        let insane = try await server.get("/api/v1/summary", headers: ["X-Request-Id": "two words"])
        let long = try await server.get("/api/v1/summary", headers: ["X-Request-Id": String(repeating: "a", count: 129)])
        try await server.stop()
        #expect(given.headers["x-request-id"] == "trace-42.a:b")
        #expect(problem.headers["x-request-id"] == "trace-43")
        #expect(problem.object["request_id"] as? String == "trace-43")
        for answer in [generated, insane, long] {
            let id = answer.headers["x-request-id"] ?? ""
            #expect(UUID(uuidString: id) != nil, "\(id)")
            // Random (version 4, RFC 9562 variant), in lowercase.
            #expect(id.count == 36 && id == id.lowercased() && Array(id)[14] == "4" && "89ab".contains(Array(id)[19]), "\(id)")
        }
        #expect(generated.headers["x-request-id"] != insane.headers["x-request-id"])
        let lines = server.log.text
        #expect(lines.contains { $0.contains("/api/v1/summary 200") && $0.contains("request_id=trace-42.a:b") })
        #expect(lines.contains { $0.contains("404") && $0.contains("request_id=trace-43") })
        #expect(lines.contains { $0.contains("request_id=\(generated.headers["x-request-id"] ?? "?")") })
    }

    /// The value of the sample `name{labels}` in Prometheus text, 0 when absent.
    static func sample(_ text: String, _ series: String) -> Double {
        for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1)) ?? -1
        }
        return 0
    }

    @Test func prometheusMetricsCountTheRequestsMade() async throws {
        let server = try await RunningServer(url: try Portfolio.create(), poolSize: 3)
        let summary = #"headway_http_requests_total{route="/api/v1/summary",method="GET",status="200"}"#
        let oneCommitment = #"headway_http_requests_total{route="/api/v1/commitments/{key}",method="GET",status="404"}"#
        let before = String(decoding: try await server.get("/metrics").body, as: UTF8.self)
        for _ in 0..<3 { _ = try await server.get("/api/v1/summary") }
        _ = try await server.get("/api/v1/commitments/nothing-here")
        _ = try await server.get("/no/such/route")
        let answer = try await server.get("/metrics")
        try await server.stop()
        let after = String(decoding: answer.body, as: UTF8.self)
        #expect(answer.status == 200)
        #expect(answer.contentType?.hasPrefix("text/plain; version=0.0.4") == true)
        #expect(Self.sample(after, summary) - Self.sample(before, summary) == 3)
        #expect(Self.sample(after, oneCommitment) == 1)
        // Not the path asked for: Hummingbird names requests no route matched "NotFound".
        #expect(Self.sample(after, #"headway_http_requests_total{route="NotFound",method="GET",status="404"}"#) == 1)
        #expect(!after.contains("/no/such/route"))
        // The histogram: cumulative buckets ending in +Inf, which equals the count.
        let count = Self.sample(after, #"headway_http_request_duration_seconds_count{route="/api/v1/summary"}"#)
        #expect(count == 3)
        #expect(Self.sample(after, #"headway_http_request_duration_seconds_bucket{route="/api/v1/summary",le="+Inf"}"#) == count)
        #expect(Self.sample(after, #"headway_http_request_duration_seconds_sum{route="/api/v1/summary"}"#) > 0)
        let buckets = after.split(separator: "\n").filter { $0.hasPrefix(#"headway_http_request_duration_seconds_bucket{route="/api/v1/summary""#) }
            .compactMap { Double($0.split(separator: " ").last ?? "") }
        #expect(buckets.count == 14)
        #expect(buckets == buckets.sorted())
        #expect(Self.sample(after, "headway_db_pool_size") == 3)
        #expect(Self.sample(after, #"headway_db_pool_connections{state="in_use"}"#) == 0)
        #expect((1...3).contains(Self.sample(after, #"headway_db_pool_connections{state="idle"}"#)))
        #expect(after.contains("# TYPE headway_db_pool_waits_total counter"))
    }
}
