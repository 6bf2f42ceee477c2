-- 002: recalls, withdrawals and falsification alerts, derived from accepted entries of kinds `recall`
-- and `alert` (ledger/apply/recall_rules.hpp, ledger/apply/alert_rules.hpp). Applied once, inside a
-- transaction, at start-up (ledger/store/migrations.cpp).

-- A recall of lots of a GTIN, or (withdrawal, no lots) of the whole GTIN. Its id is its entry's seq.
-- Recalls are irreversible: the rows below are append-only like the entries they come from.
CREATE TABLE recalls (
    seq            bigint  PRIMARY KEY REFERENCES entries (seq),
    gtin           text    NOT NULL CHECK (length(gtin) = 14),
    lots           text[]  NOT NULL,
    withdrawal     boolean NOT NULL,
    recall_class   text    NOT NULL CHECK (recall_class IN ('I', 'II', 'III')),
    reason         text    NOT NULL,
    submitter      text    NOT NULL,
    ordered_at_ms  bigint  NOT NULL,
    CHECK (withdrawal = (cardinality(lots) = 0))
);
CREATE INDEX recalls_by_gtin ON recalls (gtin, seq);

-- Which recall recalled a lot, and which withdrew a GTIN: the lookups apply and verification make.
-- A lot is recalled, a GTIN withdrawn, at most once (apply refuses a second recall).
CREATE TABLE recalled_lots (
    gtin        text   NOT NULL,
    lot         text   NOT NULL,
    recall_seq  bigint NOT NULL REFERENCES recalls (seq),
    PRIMARY KEY (gtin, lot)
);
CREATE TABLE withdrawn_gtins (
    gtin        text   PRIMARY KEY,
    recall_seq  bigint NOT NULL REFERENCES recalls (seq)
);

CREATE TRIGGER recalls_append_only BEFORE UPDATE OR DELETE ON recalls
    FOR EACH ROW EXECUTE FUNCTION rxl_refuse_change();
CREATE TRIGGER recalls_no_truncate BEFORE TRUNCATE ON recalls
    FOR EACH STATEMENT EXECUTE FUNCTION rxl_refuse_change();
CREATE TRIGGER recalled_lots_append_only BEFORE UPDATE OR DELETE ON recalled_lots
    FOR EACH ROW EXECUTE FUNCTION rxl_refuse_change();
CREATE TRIGGER recalled_lots_no_truncate BEFORE TRUNCATE ON recalled_lots
    FOR EACH STATEMENT EXECUTE FUNCTION rxl_refuse_change();
CREATE TRIGGER withdrawn_gtins_append_only BEFORE UPDATE OR DELETE ON withdrawn_gtins
    FOR EACH ROW EXECUTE FUNCTION rxl_refuse_change();
CREATE TRIGGER withdrawn_gtins_no_truncate BEFORE TRUNCATE ON withdrawn_gtins
    FOR EACH STATEMENT EXECUTE FUNCTION rxl_refuse_change();

-- Falsification alerts raised by nodes. They change no unit; they are read by the GTIN's manufacturer
-- and regulators, filtered by GTIN, lot, code and time.
CREATE TABLE alerts (
    seq             bigint PRIMARY KEY REFERENCES entries (seq),
    code            text   NOT NULL,
    emvs            text   NOT NULL,
    gtin            text   NOT NULL CHECK (length(gtin) = 14),
    serial          text   NOT NULL,
    lot             text   NOT NULL,
    expiry          text   NOT NULL,  -- YYMMDD as scanned, or empty
    participant     text   NOT NULL,
    location        text   NOT NULL,  -- GLN, or empty
    node            text   NOT NULL,
    verified_at_ms  bigint NOT NULL,
    ordered_at_ms   bigint NOT NULL,
    message         text   NOT NULL
);
CREATE INDEX alerts_by_gtin ON alerts (gtin, ordered_at_ms);
CREATE INDEX alerts_by_lot ON alerts (gtin, lot, ordered_at_ms);
CREATE INDEX alerts_by_code ON alerts (code, ordered_at_ms);
CREATE INDEX alerts_by_time ON alerts (ordered_at_ms);

CREATE TRIGGER alerts_append_only BEFORE UPDATE OR DELETE ON alerts
    FOR EACH ROW EXECUTE FUNCTION rxl_refuse_change();
CREATE TRIGGER alerts_no_truncate BEFORE TRUNCATE ON alerts
    FOR EACH STATEMENT EXECUTE FUNCTION rxl_refuse_change();
