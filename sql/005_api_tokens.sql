-- API tokens for `headway serve` (docs/API.md, "Tokens"). A token is shown once, by `headway
-- token create`, and stored nowhere: only its SHA-256 is kept, with its name and scope. A revoked
-- token stays listed, so the record says who could write when.
CREATE TABLE headway.api_tokens (
    name text PRIMARY KEY CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$'),
    scope text NOT NULL CHECK (scope IN ('read', 'write')),
    token_sha256 bytea NOT NULL UNIQUE CHECK (octet_length(token_sha256) = 32),
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz,
    last_used_at timestamptz
);

-- A writer's login runs `headway serve` and `headway token`; a reader's never sees tokens.
GRANT SELECT, INSERT ON headway.api_tokens TO headway_writer;
GRANT UPDATE (revoked_at, last_used_at) ON headway.api_tokens TO headway_writer;
