-- 003: the checkpoints this node signed. Each row is a signed note (C2SP signed-note text, DESIGN.md §4)
-- over the ledger's size and root, written in the same transaction as the batch that reached that size.
-- At start-up the node checks the latest one against the stored tree, and `rxledger audit` checks every
-- one against a replay of the entries: a database edited behind the node's back cannot also forge the
-- node's signature. Append-only, like the entries.
CREATE TABLE checkpoints (
    size       bigint      PRIMARY KEY CHECK (size > 0),
    root       bytea       NOT NULL CHECK (length(root) = 32),
    note       text        NOT NULL,
    signed_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER checkpoints_append_only BEFORE UPDATE OR DELETE ON checkpoints
    FOR EACH ROW EXECUTE FUNCTION rxl_refuse_change();
CREATE TRIGGER checkpoints_no_truncate BEFORE TRUNCATE ON checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION rxl_refuse_change();
