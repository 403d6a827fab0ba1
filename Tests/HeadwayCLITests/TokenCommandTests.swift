import Foundation
import HeadwayPostgres
import HeadwayStore
import TestSupport
import Testing

/// `headway token create|list|revoke`: a token is printed once, stored as its hash only, and
/// never shown again.
@Suite struct TokenCommandTests {
    @Test func aTokenIsShownOnceAndListedWithoutItOrItsHash() throws {
        let url = try TestDatabase.create()
        let created = try HeadwayBinary.run(["token", "create", "ci-loader", "--scope", "write"], url: url)
        #expect(created.status == 0, "\(created.errors)")
        let token = created.output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(token.range(of: "^hw_[A-Za-z0-9_-]{43}$", options: .regularExpression) != nil, "\(token)")
        #expect(try HeadwayBinary.run(["token", "create", "dashboard", "--scope", "read"], url: url).status == 0)
        let second = try HeadwayBinary.run(["token", "create", "other", "--scope", "read"], url: url).output
        #expect(second.trimmingCharacters(in: .whitespacesAndNewlines) != token)

        let hash = try PostgresConnection(url: url).query("SELECT encode(token_sha256, 'hex') FROM headway.api_tokens WHERE name = 'ci-loader'")[0]
            .decode(String.self, at: 0)
        #expect(hash.count == 64)
        let list = try HeadwayBinary.run(["token", "list"], url: url)
        #expect(list.status == 0)
        let lines = list.output.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("NAME") == true)
        #expect(lines.count == 4)
        let row = lines.first { $0.hasPrefix("ci-loader ") }?.split(separator: " ").map(String.init) ?? []
        #expect(row.count == 5 && row[1] == "write" && row[2].hasSuffix("Z") && row[3] == "-" && row[4] == "-", "\(lines)")
        #expect(!list.output.contains(token) && !list.output.contains(String(token.dropFirst(3))) && !list.output.contains(hash))

        let revoked = try HeadwayBinary.run(["token", "revoke", "ci-loader"], url: url)
        #expect(revoked.status == 0 && revoked.output.contains("Revoked token ci-loader"))
        #expect(try HeadwayBinary.run(["token", "revoke", "ci-loader"], url: url).output.contains("revoked already"))
        let after = try HeadwayBinary.run(["token", "list"], url: url).output.split(separator: "\n").first { $0.hasPrefix("ci-loader") } ?? ""
        #expect(after.contains(" 20"), "the revocation time: \(after)")
        #expect(try Workspace(url: url).tokens.holder(of: token) == nil)

        // Bad input: exit status 2, and the token is in no message.
        for arguments in [["token", "revoke", "nobody"], ["token", "create", "dashboard", "--scope", "read"], ["token", "create", "bad name", "--scope", "read"],
            ["token", "create", "x", "--scope", "admin"]]
        {
            let outcome = try HeadwayBinary.run(arguments, url: url)
            #expect(outcome.status == 2, "\(arguments): \(outcome.errors)")
        }
    }
}
