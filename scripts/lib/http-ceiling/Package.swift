// swift-tools-version:6.0
// The bare Hummingbird 2 server scripts/bench-http-ceiling measures: the most HTTP/1.1 answers a
// second any handler on this stack can give on the machine.
import PackageDescription

let package = Package(
    name: "http-ceiling",
    platforms: [.macOS(.v14)],
    dependencies: [.package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1")],
    targets: [.executableTarget(name: "http-ceiling", dependencies: [.product(name: "Hummingbird", package: "hummingbird")])]
)
