-- 004: read tokens this node issued to participants (`rxledger token issue`). Node-local, never on the
-- ledger: which bearer tokens a node accepts is that node's own business, like its TLS certificate.
-- Only a token's SHA-256 is stored, so a copy of the database grants no access. Revoking sets revoked_at;
-- the row stays, so `rxledger token list` still shows what was issued and when it stopped working.
CREATE TABLE api_tokens (
    sha256       bytea       PRIMARY KEY CHECK (length(sha256) = 32),
    participant  text        NOT NULL CHECK (length(participant) BETWEEN 1 AND 64),
    label        text        NOT NULL DEFAULT '' CHECK (length(label) <= 64),
    issued_at    timestamptz NOT NULL DEFAULT now(),
    revoked_at   timestamptz NULL CHECK (revoked_at IS NULL OR revoked_at >= issued_at)
);
-- A label names one active token, so `rxledger token revoke LABEL` can never mean two.
CREATE UNIQUE INDEX api_tokens_active_label ON api_tokens (label) WHERE revoked_at IS NULL AND label <> '';
