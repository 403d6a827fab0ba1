import Foundation
import HeadwayPostgres
import TestSupport
import Testing

/// Rows written as JSON from their text are byte for byte what PostgreSQL's row_to_json writes.
@Suite struct JSONRowWriterTests {
    @Test func rowsAreWhatRowToJSONWrites() throws {
        let connection = try TestDatabase.connect(migrated: false)
        try connection.executeScript(
            """
            CREATE DOMAIN short_key AS varchar(20);
            CREATE TYPE mood AS ENUM ('calm', 'cross');
            CREATE TABLE awkward (
                id int, flag boolean, key short_key, title text, amount numeric, ratio double precision, small real, big bigint,
                day date, at timestamptz, plain_at timestamp, tags text[], grid int[], days date[], doc jsonb, raw json,
                token uuid, span interval, keys short_key[], moods mood[], feeling mood);
            INSERT INTO awkward VALUES
              (1, true, 'k-1', E'quote " backslash \\\\ tab \\t newline \\n bell \\x07 unicode é ✓ /', 12.50, 0.1, 1.5, 9007199254740993,
               '2024-03-31', '2026-11-30 08:14:25.123456+00', '2026-11-30 08:14:25', ARRAY['a', 'b c', 'd,e', 'f"g', 'h\\i', NULL, '', 'NULL', '{x}'],
               '{{1,2},{3,4}}', ARRAY['2024-01-01'::date, NULL], '{"a": [1, "x"], "b": null}', '[1, 2.50, "y"]',
               'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '1 day 02:03:04', ARRAY['k-1', 'k 2']::short_key[], '{calm,cross}', 'calm'),
              (2, false, NULL, '', 'NaN', 'NaN', 'Infinity', -1, 'infinity', '-infinity', 'infinity', '{}', NULL, '{}', 'null', '{}', NULL, NULL, '{}', NULL, NULL),
              (3, NULL, NULL, NULL, -0.001, '-Infinity', -2.5e-10, 0, '0044-03-15', '2024-02-29 23:59:59+00', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
            """)
        let written = try connection.queryJSONObjects("SELECT a.id::text AS n, a.* FROM awkward a ORDER BY a.id", leading: 1)
        let expected = try connection.query("SELECT row_to_json(a)::text FROM awkward a ORDER BY id").map { try $0.decode(String.self, at: 0) }
        #expect(written.map(\.leading) == [["1"], ["2"], ["3"]])
        #expect(written.map(\.object) == expected)
        // A type it does not know (a composite) is an error, not a guess.
        #expect(throws: PostgresError.self) { try connection.queryJSONObjects("SELECT a FROM awkward a", leading: 0) }
    }
}
