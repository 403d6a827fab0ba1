import Hummingbird
import Logging

/// One log line per request: method, path, status, duration and request id. Never the query string, the
/// headers (Authorization among them) or a body, which may carry secrets or personal data.
struct AccessLogMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        do {
            let response = try await next(request, context)
            log(request, context, status: response.status, since: started)
            return response
        } catch let error as any HTTPResponseError {
            log(request, context, status: error.status, since: started)
            throw error
        } catch {
            log(request, context, status: .internalServerError, since: started)
            throw error
        }
    }

    private func log(_ request: Request, _ context: Context, status: HTTPResponse.Status, since started: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - started
        let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        logger.info(
            "\(request.method) \(request.uri.path) \(status.code)",
            metadata: [
                "method": "\(request.method)", "path": "\(request.uri.path)", "status": "\(status.code)",
                "duration_ms": "\((milliseconds * 100).rounded() / 100)", "request_id": "\(context.requestID ?? "-")",
            ])
    }
}
