import Foundation
import HeadwayModel
import HeadwayReport
import HeadwayStore
import Hummingbird
import Logging

/// What other sites show of a commitment: `GET /badges/{key}.svg` (its stored status as a
/// badge), `GET /embed/commitments/{key}` (its chart and headline, a page made to sit in an
/// `<iframe>`) and `GET /commitments/{key}/chart.svg` (the chart alone). The embed is the one
/// page that may be framed: its Content-Security-Policy names the origins of `--embed-origins`
/// in `frame-ancestors` (any origin when none is given); every other page keeps `'none'`.
struct Embeds: Sendable {
    let reads: Reads
    let links: PublicLinks
    /// `HeadwayServer.embedOrigins`: empty means any origin.
    let origins: [String]
    let logger: Logger

    func addRoutes(to router: Router<BasicRequestContext>) {
        router.get("badges/{key}.svg") { _, context in try await badge(try API.key(context)) }
        router.get("embed/commitments/:key") { request, context in await embed(request, context) }
        router.get("commitments/:key/chart.svg") { request, context in
            _ = try Queries.checked(request.uri, allowed: [])
            return try await chart(try API.key(context))
        }
        for path in ["badges/{key}.svg", "embed/commitments/:key", "commitments/:key/chart.svg"] {
            API.refuseOtherMethods(router, RouterPath(path), allowed: [.get])
        }
    }

    /// An SVG image: no script or style from anywhere, should it be opened as a page.
    static let imageHeaders: HTTPFields = [
        .contentType: "image/svg+xml; charset=utf-8", .contentSecurityPolicy: "default-src 'none'; style-src 'unsafe-inline'",
        .xContentTypeOptions: "nosniff",
    ]

    /// The stored status as a badge; for an unknown key a badge saying so, with status 404 (an
    /// `<img>` shows it all the same).
    func badge(_ key: String) async throws -> Response {
        let headline = try await reads.withSnapshot { try $0.dashboard.headline(of: key) }
        let svg = headline.map { StatusBadge.svg(title: $0.title, status: $0.status, probability: $0.probabilityMet) } ?? StatusBadge.unknown
        return Response(status: headline == nil ? .notFound : .ok, headers: Self.imageHeaders, body: ResponseBody(byteBuffer: ByteBuffer(string: svg.text)))
    }

    /// The chart as the commitment page draws it (wide), assessed now, as an SVG document.
    func chart(_ key: String) async throws -> Response {
        let today = CivilDate.today()
        let found = try await reads.withSnapshot { try $0.assessWithFigures(key: key, asOf: today, allRevisions: false) }
        guard let found else { throw Problem.notFound("no commitment with key \(String(reflecting: key))") }
        guard let assessment = found.assessment else { throw Problem.notFound("commitment \(String(reflecting: key)) was made after \(today)") }
        let svg = HTMLReport.chart(assessment, .wide, standalone: true)
        return Response(status: .ok, headers: Self.imageHeaders, body: ResponseBody(byteBuffer: ByteBuffer(string: svg.text)))
    }

    /// The embed page; its errors are embed pages too, which the framing page may show.
    func embed(_ request: Request, _ context: BasicRequestContext) async -> Response {
        do {
            _ = try Queries.checked(request.uri, allowed: [])
            let key = try API.key(context), base = try links.base(request), today = CivilDate.today()
            let found = try await reads.withSnapshot { try $0.assessWithFigures(key: key, asOf: today, allRevisions: false) }
            guard let found else { throw Problem.notFound("There is no commitment with the key \(String(reflecting: key)).") }
            guard let assessment = found.assessment else { throw Problem.notFound("This commitment is made on a later date.") }
            return respond(.ok, DashboardPage.embed(assessment, base: base))
        } catch let problem as Problem {
            return respond(problem.status, DashboardPage.embedError(problem.detail))
        } catch let error as DatabaseUnavailable {
            logger.warning("database unavailable: \(error)")
            var response = respond(.serviceUnavailable, DashboardPage.embedError("The figures are unavailable; try again in a moment."))
            response.headers[.retryAfter] = String(Problem.retryAfterSeconds)
            return response
        } catch {
            logger.error("embed failed: \(String(describing: error))")
            return respond(.internalServerError, DashboardPage.embedError("The server failed to answer; the error is in its log."))
        }
    }

    private func respond(_ status: HTTPResponse.Status, _ html: HTML) -> Response {
        let headers: HTTPFields = [
            .contentType: "text/html; charset=utf-8", .contentSecurityPolicy: Self.contentSecurityPolicy(origins),
            .xContentTypeOptions: "nosniff", .init("Referrer-Policy")!: "strict-origin-when-cross-origin",
        ]
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: html.text)))
    }

    /// The dashboard's policy but for framing: the stylesheet and images from this server, no
    /// script at all, and `frame-ancestors` the given origins, or any (`*`) when none is given.
    static func contentSecurityPolicy(_ origins: [String]) -> String {
        "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors "
            + (origins.isEmpty ? "*" : origins.joined(separator: " "))
    }
}
