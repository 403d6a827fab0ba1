import Foundation
import HeadwayStore
import Testing
import Yams

/// The files a newcomer and the container setup rely on are there and fit together.
@Suite struct RepositoryLayoutTests {
    let root = ResourceLocator.sourceRoot

    private func read(_ path: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    }

    @Test func composeRunsMigrationsOnceTheDatabaseIsHealthy() throws {
        let compose = try #require(try Yams.load(yaml: try read("docker-compose.yml")) as? [String: Any])
        let services = try #require(compose["services"] as? [String: Any])
        let db = try #require(services["db"] as? [String: Any])
        #expect((db["image"] as? String)?.hasPrefix("postgres:") == true)
        let healthcheck = try #require(db["healthcheck"] as? [String: Any])
        #expect((healthcheck["test"] as? [String])?.joined(separator: " ").contains("pg_isready") == true)
        let volumes = try #require(db["volumes"] as? [String])
        let namedVolume = try #require(volumes.first?.split(separator: ":").first.map(String.init))
        #expect((compose["volumes"] as? [String: Any])?.keys.contains(namedVolume) == true)

        let headway = try #require(services["headway"] as? [String: Any])
        #expect(headway["build"] as? String == ".")
        let dependsOn = try #require(headway["depends_on"] as? [String: Any])
        #expect((dependsOn["db"] as? [String: Any])?["condition"] as? String == "service_healthy")
        #expect(headway["command"] as? [String] == ["db", "migrate"])
        let environment = try #require(headway["environment"] as? [String: Any])
        #expect((environment["HEADWAY_DATABASE_URL"] as? String)?.contains("@db:5432/") == true)
    }

    @Test func composeServesTheAPIOnceMigratedWithAReadinessCheck() throws {
        let compose = try #require(try Yams.load(yaml: try read("docker-compose.yml")) as? [String: Any])
        let services = try #require(compose["services"] as? [String: Any])
        let api = try #require(services["api"] as? [String: Any])
        #expect(api["image"] as? String == "headway:local")
        let command = try #require(api["command"] as? [String])
        #expect(command.first == "serve")
        #expect(command.joined(separator: " ").contains("--host 0.0.0.0"))
        #expect(command.contains("--public-read"))
        let port = command.firstIndex(of: "--port").map { command[$0 + 1] } ?? "8080"
        let dependsOn = try #require(api["depends_on"] as? [String: Any])
        #expect((dependsOn["headway"] as? [String: Any])?["condition"] as? String == "service_completed_successfully")
        let environment = try #require(api["environment"] as? [String: Any])
        #expect((environment["HEADWAY_DATABASE_URL"] as? String)?.contains("@db:5432/") == true)
        let probe = try #require((api["healthcheck"] as? [String: Any])?["test"] as? [String]).joined(separator: " ")
        #expect(probe.contains("http://127.0.0.1:\(port)/readyz"))
        #expect(probe.contains("curl"))
        #expect(try read("Dockerfile").contains("curl"))  // the probe's tool is in the image
        #expect((api["ports"] as? [String])?.allSatisfy { $0.hasPrefix("127.0.0.1:") && $0.hasSuffix(":\(port)") } == true)
    }

    @Test func composeProvisionsGrafanaOnAReaderLogin() throws {
        let compose = try #require(try Yams.load(yaml: try read("docker-compose.yml")) as? [String: Any])
        let services = try #require(compose["services"] as? [String: Any])
        let login = try #require(services["grafana-login"] as? [String: Any])
        #expect((login["command"] as? [String])?.joined().contains("headway db grant-reader grafana --password-stdin") == true)
        let grafana = try #require(services["grafana"] as? [String: Any])
        #expect((grafana["image"] as? String)?.hasPrefix("grafana/grafana:") == true)
        let volumes = try #require(grafana["volumes"] as? [String])
        #expect(volumes.contains("./grafana/provisioning:/etc/grafana/provisioning:ro"))
        #expect(volumes.contains("./grafana/dashboards:/var/lib/grafana/dashboards:ro"))
        let dependsOn = try #require(grafana["depends_on"] as? [String: Any])
        #expect((dependsOn["grafana-login"] as? [String: Any])?["condition"] as? String == "service_completed_successfully")
        for path in ["grafana/provisioning/datasources/headway.yaml", "grafana/provisioning/dashboards/headway.yaml"] {
            #expect(try Yams.load(yaml: try read(path)) as? [String: Any] != nil, "\(path)")
        }
    }

    @Test func dockerfileShipsTheBinaryWithItsMigrations() throws {
        let dockerfile = try read("Dockerfile")
        #expect(dockerfile.contains("libpq-dev"))
        // The migrations and seeds are built into the binary: the build stage has them, the image
        // needs no copy beside it.
        #expect(dockerfile.contains("COPY sql ./sql") && dockerfile.contains("COPY seeds ./seeds") && dockerfile.contains("COPY Plugins ./Plugins"))
        #expect(!dockerfile.contains("share/headway"))
        #expect(dockerfile.contains("ENTRYPOINT [\"headway\"]"))
    }

    @Test func layoutIsInPlace() throws {
        for path in ["Package.swift", "Sources", "Tests", "sql", "seeds", "docker-compose.yml", "README.md", ".ci/run"] {
            #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent(path).path), "\(path)")
        }
        let gitignore = try read(".gitignore")
        #expect(gitignore.contains("Package.resolved"))
        #expect(gitignore.contains(".build/"))
    }

    @Test func readmeQuickStartIsTwoCommands() throws {
        let readme = try read("README.md")
        #expect(readme.contains("scripts/demo"))
        #expect(readme.contains("scripts/test"))
        #expect(try read(".ci/run").contains("scripts/test"))
    }

    /// A clone has no folder beside it: nothing in the repository may point outside it
    /// (the seed document is cited by title and date instead).
    @Test func nothingPointsOutsideTheRepository() throws {
        let tracked = ["README.md", "seeds", "docs", "scripts", "Sources", "sql", "Dockerfile", "docker-compose.yml"]
        var files: [String] = []
        for path in tracked {
            let url = root.appendingPathComponent(path)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else { continue }
            if !isDirectory.boolValue {
                files.append(path)
                continue
            }
            let names = FileManager.default.enumerator(atPath: url.path)?.allObjects as? [String] ?? []
            files += names.map { "\(path)/\($0)" }
        }
        #expect(files.count > 30)
        for file in files {
            guard let text = try? read(file) else { continue }
            #expect(!text.contains("../shared"), "\(file) refers to ../shared")
        }
        #expect(try read("seeds/README.md").contains("\"Organised Crime: Cross Border Cooperation\""))
    }

    /// The command line and the server call the workflow layer (HeadwayStore's `Workspace`) and
    /// nothing below it: no SQL, no libpq.
    @Test func theCommandLineAndTheServerNeverTalkToPostgreSQLThemselves() throws {
        for folder in ["Sources/HeadwayCLI", "Sources/HeadwayServer"] {
            let names = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(folder).path).filter { $0.hasSuffix(".swift") }
            #expect(!names.isEmpty)
            for name in names {
                let text = try read("\(folder)/\(name)")
                #expect(!text.contains("import HeadwayPostgres"), "\(folder)/\(name)")
                #expect(text.range(of: #"\b(SELECT|INSERT INTO|UPDATE headway|DELETE FROM)\b"#, options: .regularExpression) == nil, "\(folder)/\(name)")
            }
        }
    }
}
