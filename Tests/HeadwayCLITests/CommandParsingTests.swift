import ArgumentParser
import Testing

@testable import HeadwayCLI

@Suite struct CommandParsingTests {
    @Test func databaseSubcommandsParse() throws {
        let migrate = try HeadwayCommand.parseAsRoot(["db", "migrate", "--database-url", "postgresql://x@y/z"])
        #expect((migrate as? DatabaseCommand.Migrate)?.database.databaseURL == "postgresql://x@y/z")
        #expect(try HeadwayCommand.parseAsRoot(["db", "start"]) is DatabaseCommand.Start)
        #expect(try HeadwayCommand.parseAsRoot(["db", "stop"]) is DatabaseCommand.Stop)
        #expect(try HeadwayCommand.parseAsRoot(["db", "status"]) is DatabaseCommand.Status)
        #expect((try HeadwayCommand.parseAsRoot(["db", "url", "--show-password"]) as? DatabaseCommand.PrintURL)?.showPassword == true)
        #expect(throws: (any Error).self) { try HeadwayCommand.parseAsRoot(["db", "explode"]) }
    }

    @Test func helpNamesTheDatabaseChoices() {
        let help = HeadwayCommand.helpMessage()
        #expect(help.contains("HEADWAY_DATABASE_URL"))
        #expect(help.contains("db"))
    }
}
