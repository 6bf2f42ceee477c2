-- 006: alert entries that carry a batch of alerts (ledger/apply/alert_body.hpp, version 2). One entry
-- now makes one row per alert of its body: an alert's id is (seq, item), item its index in the body
-- (0 for the alert of a version-1 entry, which is what the rows written before this migration are).
-- `scans` counts the scans of the same unit, code and participant that the node's window folded into
-- the alert (1 for a version-1 entry). Adding columns with constant defaults rewrites no row, so the
-- append-only trigger of the table is not involved.
ALTER TABLE alerts ADD COLUMN item integer NOT NULL DEFAULT 0 CHECK (item >= 0);
ALTER TABLE alerts ADD COLUMN scans bigint NOT NULL DEFAULT 1 CHECK (scans >= 1);
ALTER TABLE alerts DROP CONSTRAINT alerts_pkey;
ALTER TABLE alerts ADD PRIMARY KEY (seq, item);
