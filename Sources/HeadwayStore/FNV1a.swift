/// FNV-1a, 64-bit: a small hash that is the same in every process and every version (Swift's
/// `Hasher` is seeded per process), for names and fingerprints that are stored.
public struct FNV1a {
    public private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    public init() {}

    public mutating func mix<Bytes: Sequence<UInt8>>(_ bytes: Bytes) {
        for byte in bytes {
            value ^= UInt64(byte)
            value = value &* 0x100_0000_01b3
        }
    }
}
