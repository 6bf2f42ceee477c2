-- 001: the ledger, its Merkle tree, participants, and the state apply derives from entries.
-- Applied once, inside a transaction, at start-up (ledger/store/migrations.cpp).

-- Entries are the ledger: append-only. Nothing may update, delete or truncate them (the triggers below
-- refuse it); only a superuser who drops the triggers can, and `rxledger audit` catches that.
CREATE TABLE entries (
    seq            bigint PRIMARY KEY CHECK (seq >= 0),
    ordered_at_ms  bigint NOT NULL,
    submission_id  bytea  NOT NULL UNIQUE CHECK (length(submission_id) = 32),
    kind           text   NOT NULL,
    submitter      text   NOT NULL,
    key_id         text   NOT NULL,
    body           bytea  NOT NULL,
    signature      bytea  NOT NULL,
    outcome        text   NOT NULL,
    detail         text   NOT NULL,  -- JSON, not hashed: per-event results or the rejection detail
    leaf_hash      bytea  NOT NULL CHECK (length(leaf_hash) = 32)
);

CREATE FUNCTION rxl_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'rxledger: % on % is refused: the ledger is append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER entries_append_only BEFORE UPDATE OR DELETE ON entries
    FOR EACH ROW EXECUTE FUNCTION rxl_refuse_change();
CREATE TRIGGER entries_no_truncate BEFORE TRUNCATE ON entries
    FOR EACH STATEMENT EXECUTE FUNCTION rxl_refuse_change();

-- Complete subtrees of the RFC 9162 Merkle tree: node (level, idx) covers leaves [idx*2^level, (idx+1)*2^level).
CREATE TABLE merkle_nodes (
    level  smallint NOT NULL CHECK (level >= 0 AND level < 64),
    idx    bigint   NOT NULL CHECK (idx >= 0),
    hash   bytea    NOT NULL CHECK (length(hash) = 32),
    PRIMARY KEY (level, idx)
);
CREATE TRIGGER merkle_nodes_append_only BEFORE UPDATE OR DELETE ON merkle_nodes
    FOR EACH ROW EXECUTE FUNCTION rxl_refuse_change();
CREATE TRIGGER merkle_nodes_no_truncate BEFORE TRUNCATE ON merkle_nodes
    FOR EACH STATEMENT EXECUTE FUNCTION rxl_refuse_change();

-- One row: how far apply has come. Written in the same transaction as the entries it counts.
CREATE TABLE ledger_head (
    singleton          boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    size               bigint  NOT NULL,
    root               bytea   NOT NULL,
    last_ordered_at_ms bigint  NOT NULL,
    orderer_cursor     bigint  NOT NULL DEFAULT 0
);

CREATE TABLE participants (
    id                text PRIMARY KEY,
    name              text NOT NULL,
    role              text NOT NULL CHECK (role IN ('manufacturer', 'wholesaler', 'pharmacy', 'regulator')),
    company_prefixes  text[] NOT NULL,
    glns              text[] NOT NULL,
    since_seq         bigint NOT NULL
);

CREATE TABLE participant_keys (
    key_id          text PRIMARY KEY,
    participant_id  text NOT NULL REFERENCES participants (id),
    public_key      bytea NOT NULL CHECK (length(public_key) = 32),
    since_seq       bigint NOT NULL
);

CREATE TABLE nodes (
    id              text PRIMARY KEY,
    participant_id  text NOT NULL REFERENCES participants (id),
    public_key      bytea NOT NULL CHECK (length(public_key) = 32),
    url             text NOT NULL
);

-- Units (SGTIN = GTIN-14 + serial) and their current state, derived from accepted entries.
CREATE TABLE units (
    gtin                     text   NOT NULL CHECK (length(gtin) = 14),
    serial                   text   NOT NULL CHECK (length(serial) BETWEEN 1 AND 20),
    lot                      text   NOT NULL,
    expiry                   date   NOT NULL,
    status                   text   NOT NULL,
    owner_id                 text   NOT NULL,
    custodian_id             text   NOT NULL,
    location_gln             text,
    parent_sscc              text,
    destination_id           text,
    commissioned_seq         bigint NOT NULL,
    updated_seq              bigint NOT NULL,
    decommissioned_at_ms     bigint,
    decommissioned_location  text,
    decommissioned_by        text,
    chain_link               bytea  NOT NULL CHECK (length(chain_link) = 32),
    PRIMARY KEY (gtin, serial)
);
CREATE INDEX units_by_parent ON units (parent_sscc) WHERE parent_sscc IS NOT NULL;
CREATE INDEX units_by_lot ON units (gtin, lot);

-- Cases and pallets (SSCC-18).
CREATE TABLE containers (
    sscc              text   PRIMARY KEY CHECK (length(sscc) = 18),
    status            text   NOT NULL,
    owner_id          text   NOT NULL,
    custodian_id      text   NOT NULL,
    location_gln      text,
    parent_sscc       text,
    destination_id    text,
    commissioned_seq  bigint NOT NULL,
    updated_seq       bigint NOT NULL
);
CREATE INDEX containers_by_parent ON containers (parent_sscc) WHERE parent_sscc IS NOT NULL;

-- Lots commissioned per GTIN, with their expiry and manufacturer.
CREATE TABLE lots (
    gtin      text NOT NULL,
    lot       text NOT NULL,
    expiry    date NOT NULL,
    owner_id  text NOT NULL,
    PRIMARY KEY (gtin, lot, expiry)
);

-- EPCIS events of accepted entries, for queries and duplicate detection.
CREATE TABLE events (
    seq                   bigint  NOT NULL REFERENCES entries (seq),
    event_index           integer NOT NULL,
    hash_id               text    NOT NULL,
    event_id              text    NOT NULL,
    event_type            text    NOT NULL,
    event_time_ms         bigint  NOT NULL,
    action                text    NOT NULL,
    biz_step              text    NOT NULL,
    disposition           text    NOT NULL,
    read_point            text    NOT NULL,
    biz_location          text    NOT NULL,
    lot                   text    NOT NULL,
    is_error_declaration  boolean NOT NULL,
    event_json            text    NOT NULL,
    PRIMARY KEY (seq, event_index)
);
-- A CBV 2.0 event hash may be on the ledger once, except in error declarations.
CREATE UNIQUE INDEX events_unique_hash ON events (hash_id) WHERE NOT is_error_declaration;

-- Each unit's chain: one link per event that touched it.
CREATE TABLE unit_events (
    gtin         text    NOT NULL,
    serial       text    NOT NULL,
    seq          bigint  NOT NULL,
    event_index  integer NOT NULL,
    link         bytea   NOT NULL CHECK (length(link) = 32),
    PRIMARY KEY (gtin, serial, seq, event_index)
);
