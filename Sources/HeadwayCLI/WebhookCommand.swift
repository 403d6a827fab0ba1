import ArgumentParser
import Foundation
import HeadwayStore

/// `headway webhook …`: receivers that `headway serve` POSTs events to, signed.
struct WebhookCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhook",
        abstract: "Add, list and remove webhooks, which headway serve delivers.",
        discussion: """
            A webhook receives the events of the event log as signed POSTs (Standard Webhooks: webhook-id, \
            webhook-timestamp, webhook-signature), delivered by headway serve at least once, in order, retried for \
            over 24 hours before the hook is disabled (docs/API.md, "Webhooks").
            """,
        subcommands: [Add.self, List.self, Remove.self, RotateSecret.self, Deliveries.self]
    )

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add", abstract: "Add a webhook and print its id and its secret: the only time the secret is shown.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "Where to POST the events: an http:// or https:// URL.") var url: String
        @Option(name: .customLong("event"), help: ArgumentHelp("Which events: repeatable (default: status).", valueName: "type"))
        var events: [Webhooks.EventType] = []
        @Option(help: "Only events about commitments with this tag.") var tag: String?
        @Option(help: ArgumentHelp("Only events about this commitment.", valueName: "key")) var commitment: String?
        @Option(name: .customLong("description"), help: ArgumentHelp("What the hook is for.", valueName: "text")) var about: String?
        @Flag(help: "Allow a receiver on loopback or a private network (refused by default: server-side request forgery).")
        var allowPrivate = false

        func run() throws {
            let new = Webhooks.NewHook(url: url, events: events, tag: tag, commitment: commitment, description: about, allowPrivate: allowPrivate)
            let (hook, secret) = try database.workspace().webhooks.add(new)
            print("id: \(hook.id)")
            print("secret: \(secret)")
            FileHandle.standardError.write(Data("Keep the secret where the receiver verifies signatures: it is not shown again (rotate-secret makes a new one).\n".utf8))
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the webhooks, and why any is disabled.")
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            let hooks = try database.workspace().webhooks.list()
            guard !hooks.isEmpty else {
                print("No webhooks; add one with headway webhook add URL.")
                return
            }
            TextTable.print(
                header: ["ID", "URL", "EVENTS", "ONLY", "STATE", "PENDING", "LAST DELIVERED"],
                rows: hooks.map { hook in
                    let only = [hook.commitment.map { "commitment \($0)" }, hook.tag.map { "tag \($0)" }].compactMap { $0 }.joined(separator: ", ")
                    return [
                        String(hook.id), hook.url, hook.events.map(\.rawValue).joined(separator: ","), only.isEmpty ? "-" : only,
                        hook.disabledAt == nil ? "active" : "disabled", String(hook.pending), hook.lastDeliveredAt ?? "-",
                    ]
                })
            WebhookCommand.printDisabled(hooks)
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove a webhook and its record of deliveries.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The webhook's id.") var id: Int64

        func run() throws {
            try database.workspace().webhooks.remove(id: id)
            print("Removed webhook \(id).")
        }
    }

    struct RotateSecret: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate-secret", abstract: "Give a webhook a new secret and print it; the old one signs nothing from now on.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The webhook's id.") var id: Int64

        func run() throws {
            print("secret: \(try database.workspace().webhooks.rotateSecret(id: id))")
        }
    }

    struct Deliveries: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "deliveries", abstract: "Show the latest deliveries (of one webhook), newest first, and why a hook is disabled.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The webhook's id (default: every webhook).") var id: Int64?
        @Flag(help: "Only deliveries not made after at least one attempt: being retried, or given up.") var failed = false
        @Option(help: "At most this many.") var limit = 50

        func validate() throws {
            guard (1...10_000).contains(limit) else { throw ValidationError("--limit must be from 1 to 10000") }
        }

        func run() throws {
            let webhooks = try database.workspace().webhooks
            let deliveries = try webhooks.deliveries(hook: id, failedOnly: failed, limit: limit)
            if deliveries.isEmpty {
                print(failed ? "No failed deliveries." : "No deliveries yet.")
            } else {
                TextTable.print(
                    header: ["HOOK", "WEBHOOK-ID", "STATE", "ATTEMPTS", "LAST ATTEMPT", "LAST RESULT", "NEXT ATTEMPT"],
                    rows: deliveries.map { delivery in
                        [
                            String(delivery.hook), delivery.messageID, delivery.state.rawValue, String(delivery.attempts), delivery.lastAttemptAt ?? "-",
                            delivery.lastError ?? delivery.lastStatus.map { "HTTP \($0)" } ?? "-", delivery.nextAttemptAt ?? "-",
                        ]
                    })
            }
            WebhookCommand.printDisabled(try webhooks.list().filter { id == nil || $0.id == id })
        }
    }

    /// Why each disabled hook of `hooks` was disabled, after a blank line.
    static func printDisabled(_ hooks: [Webhooks.Hook]) {
        let disabled = hooks.filter { $0.disabledAt != nil }
        guard !disabled.isEmpty else { return }
        print("")
        for hook in disabled {
            print("Webhook \(hook.id) disabled at \(hook.disabledAt ?? ""): \(hook.disabledReason ?? "")")
        }
    }
}

extension Webhooks.EventType: ExpressibleByArgument {}
