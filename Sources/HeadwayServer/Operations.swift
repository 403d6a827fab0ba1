import Hummingbird
import Logging

/// The operational layer around every route: request ids, metrics, the access log, problem
/// details and gzip, in that order from the outside in, and `GET /metrics` for Prometheus.
/// Middleware applies to the routes added after it, so this comes before every route.
enum Operations {
    static func install(on router: Router<BasicRequestContext>, pool: DatabasePool, replicas: ReadReplicas, logger: Logger) {
        let metrics = ServerMetrics()
        router.add(middleware: RequestIDMiddleware())
        router.add(middleware: MetricsMiddleware(metrics: metrics))
        router.add(middleware: AccessLogMiddleware(logger: logger))
        router.add(middleware: ProblemMiddleware(logger: logger))
        router.add(middleware: CompressionMiddleware())
        router.get("metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: metrics.text(pool: pool.statistics) + replicas.metricsText)))
        }
        API.refuseOtherMethods(router, "metrics", allowed: [.get])
    }
}
