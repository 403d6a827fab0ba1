import HeadwayReport
import Hummingbird
import Logging

/// An error answered as `application/problem+json` (RFC 9457, https://www.rfc-editor.org/rfc/rfc9457).
struct Problem: Error {
    let status: HTTPResponse.Status
    let detail: String
    /// Retry-After (503), Allow (405), WWW-Authenticate (401).
    var headers: HTTPFields = [:]
    /// Extension members beside type, title, status and detail, such as a bad row's `line`.
    var members: [(String, JSONValue)] = []

    static func badRequest(_ detail: String) -> Problem { Problem(status: .badRequest, detail: detail) }
    static func notFound(_ detail: String) -> Problem { Problem(status: .notFound, detail: detail) }

    static func unavailable(_ detail: String) -> Problem {
        Problem(status: .serviceUnavailable, detail: detail, headers: [.retryAfter: String(retryAfterSeconds)])
    }

    static func methodNotAllowed(_ method: HTTPRequest.Method, allowed: String) -> Problem {
        Problem(status: .methodNotAllowed, detail: "\(method) is not served here; \(allowed) are", headers: [.allow: allowed])
    }

    static let retryAfterSeconds = 5

    /// The answer; `requestID` (the request's X-Request-Id) goes in as `request_id`.
    func response(requestID: String?) -> Response {
        let body: JSONValue = .object([
            ("type", .string("about:blank")), ("title", .string(status.reasonPhrase)),
            ("status", .number(String(status.code))), ("detail", .string(detail)),
        ] + members + (requestID.map { [("request_id", JSONValue.string($0))] } ?? []))
        var headers = headers
        headers[.contentType] = "application/problem+json"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: body.compactText)))
    }
}

/// Turns every error into a problem response, so no client ever sees another error format.
/// Details of unexpected errors go to the log only: the client learns the status, not the internals.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let problem as Problem {
            return problem.response(requestID: context.requestID)
        } catch let error as DatabaseUnavailable {
            logger.warning("database unavailable: \(error)")
            return Problem.unavailable("the database is unavailable; try again later").response(requestID: context.requestID)
        } catch let error as HTTPError {
            let detail = error.status == .notFound ? "no resource at \(request.method) \(request.uri.path)" : error.body ?? error.status.reasonPhrase
            return Problem(status: error.status, detail: detail).response(requestID: context.requestID)
        } catch {
            logger.error("\(request.method) \(request.uri.path) failed: \(String(describing: error))")
            return Problem(status: .internalServerError, detail: "the server failed to answer; the error is in its log").response(requestID: context.requestID)
        }
    }
}

/// A 200 answer whose body is JSON text already.
func jsonResponse(_ text: String) -> Response {
    Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
}

/// A 200 answer with `value` as compact JSON.
func jsonResponse(_ value: JSONValue) -> Response {
    Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: value.compactUTF8)))
}
