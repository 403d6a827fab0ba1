import ArgumentParser
import Foundation
import HeadwayStore

/// `headway token …`: bearer tokens for `headway serve`.
struct TokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Create, list and revoke API tokens for headway serve.",
        discussion: """
            Writes to the HTTP API need a write token (Authorization: Bearer TOKEN); reads need a read or \
            write token when the server runs with --require-read-token. Only a token's SHA-256 is stored.
            """,
        subcommands: [Create.self, List.self, Revoke.self]
    )

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a token and print it: the only time it is shown.")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "read, or write (which may also read).") var scope: APITokens.Scope
        @Argument(help: "A name for the token: who or what holds it.") var name: String

        func run() throws {
            print(try database.workspace().tokens.create(name: name, scope: scope))
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the tokens: name, scope, when created, revoked and last used.")
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            let rows = try database.workspace().tokens.list().map { [$0.name, $0.scope.rawValue, $0.createdAt, $0.revokedAt ?? "-", $0.lastUsedAt ?? "-"] }
            guard !rows.isEmpty else {
                print("No tokens; create one with headway token create NAME --scope read|write.")
                return
            }
            TextTable.print(header: ["NAME", "SCOPE", "CREATED", "REVOKED", "LAST USED"], rows: rows)
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "revoke", abstract: "Revoke a token: the server refuses it from then on.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The token's name.") var name: String

        func run() throws {
            let revoked = try database.workspace().tokens.revoke(name: name)
            print(revoked ? "Revoked token \(name)." : "Token \(name) was revoked already.")
        }
    }
}

extension APITokens.Scope: ExpressibleByArgument {}
