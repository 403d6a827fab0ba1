-- The API and the dashboard list commitments a page at a time in key order, byte by byte
-- (COLLATE "C", the same in every database whatever its default collation). The primary key's
-- index has the database's collation, which the planner cannot use for that order, so every page
-- sorted all the rows after the cursor. This index lets a page read just its rows.
CREATE INDEX commitment_state_key_bytewise ON headway.commitment_state (commitment_key COLLATE "C");
