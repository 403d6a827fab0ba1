/// "1 row", "2 rows": a count with its noun, singular or plural (nouns that take an s).
func counted(_ count: Int, _ noun: String) -> String { "\(count) \(noun)\(count == 1 ? "" : "s")" }
