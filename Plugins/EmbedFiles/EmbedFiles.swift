import Foundation
import PackagePlugin

/// Builds what the `headway` binary carries inside it, so that an installed copy needs no file
/// beside it: the migrations of `sql/` and the demo's `seeds/` as a generated Swift source
/// (`EmbeddedFiles.swift`, rewritten whenever a file of either changes, is added or removed),
/// and the version (`VERSION`) with the git commit it was built from (`BuildInfo.swift`,
/// checked before every build, rewritten only when it changes). `sql/` and `seeds/` stay the
/// source of truth; nothing generated is committed.
@main
struct EmbedFiles: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let root = context.package.directoryURL
        let directories = ["sql", "seeds"].map { root.appendingPathComponent($0) }
        // The directories themselves are inputs too: adding or removing a file changes them.
        var inputs = directories
        for directory in directories {
            let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { !$0.hasPrefix(".") }.sorted()
            inputs += names.map { directory.appendingPathComponent($0) }
        }
        let embedded = context.pluginWorkDirectoryURL.appendingPathComponent("EmbeddedFiles.swift")
        let buildInfoDirectory = context.pluginWorkDirectoryURL.appendingPathComponent("BuildInfo")
        return [
            .buildCommand(
                displayName: "Embedding sql/ and seeds/ in \(target.name)",
                executable: try context.tool(named: "EmbedFilesTool").url,
                arguments: [embedded.path] + directories.map(\.path),
                inputFiles: inputs,
                outputFiles: [embedded]),
            .prebuildCommand(
                displayName: "Noting the version and git commit of \(target.name)",
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: ["-c", Self.buildInfoScript, "build-info", root.path, buildInfoDirectory.appendingPathComponent("BuildInfo.swift").path],
                environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"],
                outputFilesDirectory: buildInfoDirectory),
        ]
    }

    /// Writes `$2` from `$1/VERSION` and `git describe`, only when its text would change (so an
    /// unchanged tree recompiles nothing). A tree that is not a git checkout says "unknown".
    static let buildInfoScript = #"""
        set -eu
        root="$1"; out="$2"
        version="$(tr -d ' \n' < "$root/VERSION" 2>/dev/null || echo unknown)"
        commit="$(git -C "$root" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)"
        if [ "$commit" != unknown ] && ! git -C "$root" diff --quiet HEAD -- 2>/dev/null; then commit="$commit-dirty"; fi
        text="// Generated before each build by the EmbedFiles plugin: do not edit.
        /// The version (VERSION) and the git commit this binary was built from.
        public enum BuildInfo {
            public static let version = \"$version\"
            public static let commit = \"$commit\"
        }"
        mkdir -p "$(dirname "$out")"
        if [ ! -f "$out" ] || [ "$(cat "$out")" != "$text" ]; then printf '%s\n' "$text" > "$out"; fi
        """#
}
