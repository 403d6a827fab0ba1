import Foundation

// EmbedFilesTool OUTPUT DIRECTORY...: writes OUTPUT, a Swift source holding every regular file of
// each DIRECTORY (by its name, in name order) as a string literal, for the EmbedFiles plugin.
// Every file must be UTF-8; the text is kept byte for byte (migrations are checksummed).

let arguments = CommandLine.arguments.dropFirst()
guard let output = arguments.first, arguments.count > 1 else {
    FileHandle.standardError.write(Data("usage: EmbedFilesTool OUTPUT DIRECTORY...\n".utf8))
    exit(2)
}

/// `text` as a Swift string literal: quotes, backslashes and every control character escaped.
func literal(_ text: String) -> String {
    var result = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": result += "\\\""
        case "\\": result += "\\\\"
        case "\n": result += "\\n"
        case "\r": result += "\\r"
        case "\t": result += "\\t"
        case _ where scalar.value < 0x20 || scalar.value == 0x7F: result += "\\u{\(String(scalar.value, radix: 16))}"
        default: result.unicodeScalars.append(scalar)
        }
    }
    return result + "\""
}

var source = """
    // Generated at build time by the EmbedFiles plugin from \(arguments.dropFirst().map { URL(fileURLWithPath: $0).lastPathComponent }.joined(separator: "/ and "))/: do not edit.

    /// The files Headway ships inside its binary, by directory, each as (file name, text).
    enum EmbeddedFiles {

    """
do {
    for directory in arguments.dropFirst() {
        let url = URL(fileURLWithPath: directory)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { !$0.hasPrefix(".") }.sorted()
        source += "    static let \(url.lastPathComponent): [(name: String, text: String)] = [\n"
        for name in names {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.appendingPathComponent(name).path, isDirectory: &isDirectory), !isDirectory.boolValue
            else { continue }
            let data = try Data(contentsOf: url.appendingPathComponent(name))
            guard let text = String(data: data, encoding: .utf8) else {
                FileHandle.standardError.write(Data("\(directory)/\(name): not UTF-8 text\n".utf8))
                exit(1)
            }
            source += "        (\(literal(name)), \(literal(text))),\n"
        }
        source += "    ]\n"
    }
    source += "}\n"
    try Data(source.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
} catch {
    FileHandle.standardError.write(Data("EmbedFilesTool: \(error)\n".utf8))
    exit(1)
}
