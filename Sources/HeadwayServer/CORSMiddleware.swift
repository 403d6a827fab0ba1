import Hummingbird

/// CORS for the origins given with `--cors-origin`, and no other: a browser page from one of
/// them may read the API and, with a token, write to it. Preflight requests (OPTIONS with
/// Access-Control-Request-Method) from those origins are answered here.
///
/// Why not Hummingbird's `CORSMiddleware`: it answers every OPTIONS request that carries an
/// Origin itself, from any origin and whether or not it is a preflight, so a page from an origin
/// not listed still gets a 204 with the allowed methods and headers, and OPTIONS never reaches
/// the router; and its list of origins (`.oneOf`) is variadic, fixed at compile time, where
/// `--cors-origin` gives one at run time. This one touches only requests from the listed origins
/// and leaves every other request, OPTIONS included, to the router.
struct CORSMiddleware<Context: RequestContext>: RouterMiddleware {
    let origins: Set<String>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let origin = request.headers[.origin], origins.contains(origin) else { return try await next(request, context) }
        if request.method == .options, request.headers[.accessControlRequestMethod] != nil {
            return Response(
                status: .noContent,
                headers: [
                    .accessControlAllowOrigin: origin, .vary: "Origin", .accessControlAllowMethods: "GET, HEAD, POST",
                    .accessControlAllowHeaders: "Authorization, Content-Type, If-None-Match, Last-Event-ID, Headway-Min-Event-Id", .accessControlMaxAge: "600",
                ])
        }
        var response = try await next(request, context)
        response.headers[.accessControlAllowOrigin] = origin
        response.headers[.vary] = "Origin"
        response.headers[.accessControlExposeHeaders] = "ETag, Retry-After, WWW-Authenticate, Location, Headway-Event-Id"
        return response
    }
}
