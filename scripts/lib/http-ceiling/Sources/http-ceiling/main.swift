import Hummingbird

// Answers every GET of /revalidate with the 304 headway serve gives a revalidation, doing nothing
// else: no middleware, no logging, no tag computed.
let port = Int(CommandLine.arguments.dropFirst().first ?? "") ?? 8090
let router = Router()
router.get("revalidate") { _, _ in
    Response(status: .notModified, headers: [.eTag: "W/\"1-0123456789abcdef\"", .cacheControl: "no-cache"])
}
let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
try await app.runService()
