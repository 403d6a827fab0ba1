import Hummingbird

/// With `--require-read-token`, every request needs a read or write token, except the health
/// checks and the OpenAPI document; the write routes check their own, stricter scope.
struct ReadTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let access: Access
    static var open: Set<String> { ["/healthz", "/readyz", "/api/v1/openapi.json"] }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        if !Self.open.contains(path) && !WriteAPI.paths.contains(path) {
            try await access.require(.read, request)
        }
        return try await next(request, context)
    }
}
