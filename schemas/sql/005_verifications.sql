-- 005: the node's log of verifications: who asked about which pack, from where, and what the node
-- answered. Node-local (not on the ledger, not replicated): it records reads, and a verification
-- that raised an alert is on the ledger as the alert entry anyway. Written in batches off the
-- request path, so logging never slows an answer down.
CREATE TABLE verifications (
    id            bigserial PRIMARY KEY,
    at_ms         bigint  NOT NULL,
    participant   text    NOT NULL,
    location      text    NOT NULL,  -- the GLN the request named, or ''
    channel       text    NOT NULL,  -- 'verify', 'digital-link', 'vrs'
    input         text    NOT NULL,  -- what was scanned or sent, cut to 512 characters
    gtin          text    NOT NULL,
    serial        text    NOT NULL,
    lot           text    NOT NULL,
    expiry        text    NOT NULL,
    code          text    NOT NULL,  -- the answer's reason code (OK, UNKNOWN_SERIAL, BAD_SCAN, …)
    genuine       boolean NOT NULL,
    dispensable   boolean NOT NULL,
    ledger_size   bigint  NOT NULL
);
CREATE INDEX verifications_by_unit ON verifications (gtin, serial);
CREATE INDEX verifications_by_participant ON verifications (participant, at_ms);
