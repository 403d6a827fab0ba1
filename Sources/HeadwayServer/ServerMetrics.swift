import Foundation
import Hummingbird

/// What `GET /metrics` reports, in Prometheus's text format (version 0.0.4,
/// https://prometheus.io/docs/instrumenting/exposition_formats/): requests by route, method and
/// status, a latency histogram by route, and the database pool's connections.
final class ServerMetrics: @unchecked Sendable {
    /// Upper bounds of the latency buckets, in seconds.
    static let buckets: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    private struct RequestKey: Hashable {
        let route: String
        let method: String
        let status: Int
    }

    private struct Latency {
        var counts = [Int](repeating: 0, count: ServerMetrics.buckets.count)
        var sum = 0.0
        var count = 0
    }

    // Guards the two tables below: every request's task records into them.
    private let lock = NSLock()
    private var requests: [RequestKey: Int] = [:]
    private var latencies: [String: Latency] = [:]

    func record(route: String, method: String, status: Int, seconds: Double) {
        lock.withLock {
            requests[RequestKey(route: route, method: method, status: status), default: 0] += 1
            var latency = latencies[route, default: Latency()]
            for (index, bound) in Self.buckets.enumerated() where seconds <= bound { latency.counts[index] += 1 }
            latency.sum += seconds
            latency.count += 1
            latencies[route] = latency
        }
    }

    /// The exposition text, with the pool's state read now.
    func text(pool: DatabasePool.Statistics) -> String {
        let (requests, latencies) = lock.withLock { (self.requests, self.latencies) }
        var lines = [
            "# HELP headway_http_requests_total HTTP requests answered, by route, method and status.",
            "# TYPE headway_http_requests_total counter",
        ]
        for (key, count) in requests.sorted(by: { ($0.key.route, $0.key.method, $0.key.status) < ($1.key.route, $1.key.method, $1.key.status) }) {
            lines.append("headway_http_requests_total{route=\(Self.label(key.route)),method=\(Self.label(key.method)),status=\"\(key.status)\"} \(count)")
        }
        lines += [
            "# HELP headway_http_request_duration_seconds Time from a request's arrival to its answer's head, by route.",
            "# TYPE headway_http_request_duration_seconds histogram",
        ]
        for (route, latency) in latencies.sorted(by: { $0.key < $1.key }) {
            for (index, bound) in Self.buckets.enumerated() {
                lines.append("headway_http_request_duration_seconds_bucket{route=\(Self.label(route)),le=\"\(bound)\"} \(latency.counts[index])")
            }
            lines.append("headway_http_request_duration_seconds_bucket{route=\(Self.label(route)),le=\"+Inf\"} \(latency.count)")
            lines.append("headway_http_request_duration_seconds_sum{route=\(Self.label(route))} \(latency.sum)")
            lines.append("headway_http_request_duration_seconds_count{route=\(Self.label(route))} \(latency.count)")
        }
        lines += [
            "# HELP headway_db_pool_connections Database connections of the pool, by state.",
            "# TYPE headway_db_pool_connections gauge",
            "headway_db_pool_connections{state=\"in_use\"} \(pool.inUse)",
            "headway_db_pool_connections{state=\"idle\"} \(pool.idle)",
            "# HELP headway_db_pool_size The most connections the pool opens.",
            "# TYPE headway_db_pool_size gauge",
            "headway_db_pool_size \(pool.size)",
            "# HELP headway_db_pool_waiting Requests waiting for a connection now.",
            "# TYPE headway_db_pool_waiting gauge",
            "headway_db_pool_waiting \(pool.waiting)",
            "# HELP headway_db_pool_waits_total Requests that had to wait for a connection.",
            "# TYPE headway_db_pool_waits_total counter",
            "headway_db_pool_waits_total \(pool.waits)",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    /// A label value, quoted and escaped as the format requires.
    private static func label(_ value: String) -> String {
        "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n") + "\""
    }
}

/// Records each request in `ServerMetrics`, under its route's pattern (`/api/v1/commitments/{key}`),
/// never its concrete path, so the series stay few; requests no route matched count under the
/// route Hummingbird gives them, "NotFound".
struct MetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let response = try await next(request, context)
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        metrics.record(route: context.endpointPath ?? "NotFound", method: request.method.rawValue, status: response.status.code, seconds: seconds)
        return response
    }
}
