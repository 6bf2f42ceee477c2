// Every limit rxledger enforces, in one place, with its unit in its name.
//
// These are defaults; the server's configuration may lower or raise the ones marked "configurable"
// (see docs/configuration.md). Limits that define what is hashed or signed are not configurable: every
// node must agree on them.
#pragma once

#include <cstddef>
#include <cstdint>

namespace rxl::limits {

// --- HTTP (configurable) ---------------------------------------------------------------------------
// Largest request header block; Beast's own default is 8 KiB, which long bearer tokens can exceed.
// The chunk extensions and trailer fields of a chunked request count within the same limit: they are
// header-like text that would otherwise be a second, unbounded header block.
inline constexpr std::size_t http_header_bytes_max = 16 * 1024;
// Largest request body of a signed write, whose headers (key id known, signature well-formed) were
// checked before its body is read. An EPCIS document of 10,000 unit events is about 1.2 MiB, so 8 MiB
// leaves room for verbose JSON-LD while keeping one request's memory bounded. Announced as
// GS1-EPCIS-Capture-File-Size-Limit.
inline constexpr std::size_t http_body_bytes_max = 8 * 1024 * 1024;
// Largest request body of every other route (a verification's JSON is well under 1 KiB): anyone can
// send these, so anyone's body must stay small.
inline constexpr std::size_t http_unsigned_body_bytes_max = 64 * 1024;
// Request bodies held by the whole node at once, from their header (a Content-Length is reserved before
// the body is read; a chunked body is counted chunk by chunk) until their handler is done. Past it a
// request is answered 503 (server-busy) before its body is read: 300 clients holding 8 MiB bodies would
// otherwise take 2.4 GiB. 32 bodies of the largest size, far more of the usual few KiB.
inline constexpr std::size_t http_request_buffer_bytes_max = 256 * 1024 * 1024;
// Answer bytes the whole node holds for writing at once (answers built and not yet taken by their
// clients). Past it requests are answered 503 (server-busy) instead of building more, so slow readers
// cannot pin memory; response_timeout_ms bounds how long any one answer is held.
inline constexpr std::size_t http_response_buffer_bytes_max = 256 * 1024 * 1024;
// A client must take its whole answer within this time: one that stops reading cannot hold the
// connection and the answer's memory for longer.
inline constexpr std::uint32_t http_response_timeout_ms = 30'000;
// A client that connects must finish the TLS handshake within this time. Short, because a connection
// that has not finished its handshake has proven nothing and holds a slot: 5 s is many round trips.
inline constexpr std::uint32_t http_handshake_timeout_ms = 5'000;
// TLS handshakes in progress at once on the node; past it a new connection is closed at once. Together
// with the per-address limit, no one address can fill this.
inline constexpr std::size_t http_handshakes_max = 512;
// Connections open at once from one IP address; past it a new connection from that address is closed at
// once, so one client cannot take the connections_max slots of all others (4,200 idle connections from
// one address locked every other client out). 256 leaves room for a pharmacy chain behind one NAT.
inline constexpr std::size_t http_connections_per_address_max = 256;
// A client must deliver a whole request (headers and body) within this time once it has started one:
// a slow client cannot hold a connection and a buffer forever (slowloris).
inline constexpr std::uint32_t http_request_timeout_ms = 15'000;
// A keep-alive connection with no request in flight is closed after this long.
inline constexpr std::uint32_t http_idle_timeout_ms = 60'000;
// Concurrent connections per node; past it new connections are closed at once.
inline constexpr std::size_t http_connections_max = 4096;
// How long a write request waits for its entry to be ordered and applied before answering 503.
inline constexpr std::uint32_t commit_wait_timeout_ms = 30'000;
// How long graceful shutdown waits for in-flight requests before closing connections.
inline constexpr std::uint32_t shutdown_grace_ms = 10'000;

// --- Authentication of reads (configurable) --------------------------------------------------------
// How long a node remembers what its database said about an API token (server/app/token_cache.hpp).
// A revoked token stops working at most this long after `rxledger token revoke` commits; in exchange a
// read costs a hash and a map look-up instead of a query. Configurable as token_cache_ms; 0 disables.
inline constexpr std::uint32_t api_token_cache_ms = 5'000;
// Tokens remembered at once. 65,536 answers of about 200 bytes each: ~13 MiB at most.
inline constexpr std::size_t api_token_cache_entries_max = 65'536;

// --- EPCIS capture (part of the ledger's rules: every node must agree) ------------------------------
// Events in one captured document. Announced as GS1-EPCIS-Capture-Limit.
inline constexpr std::size_t capture_events_max = 10'000;
// EPCs (units or containers) named by one event in all its lists together.
inline constexpr std::size_t event_epcs_max = 100'000;
// Depth of JSON nesting accepted in a document; deeper documents are refused before parsing further.
inline constexpr std::size_t json_depth_max = 32;
// Bytes in one JSON string or member name of any body the node parses (ledger/epcis/strict_json.hpp).
// A bound for every string no narrower limit covers: the longest legitimate ones are extension fields
// and sensor data of EPCIS events, far below it.
inline constexpr std::size_t json_string_bytes_max = 64 * 1024;
// Bytes of an EPCIS eventID, of a non-CBV bizStep, disposition, source or destination type or error
// reason URI, and of a certificationInfo URI: each is stored in a text column or compared as a key, and
// a URI longer than this is not one anybody types. Below PostgreSQL's btree entry limit (2,704 bytes),
// so any of them may be indexed.
inline constexpr std::size_t epcis_uri_bytes_max = 1024;

// --- GS1 ----------------------------------------------------------------------------------------------
inline constexpr std::size_t serial_chars_max = 20;  // AI (21)
inline constexpr std::size_t lot_chars_max = 20;     // AI (10)
inline constexpr std::size_t gln_digits = 13;        // AI (414), with its check digit

// --- Ledger -------------------------------------------------------------------------------------------
// Submissions applied in one PostgreSQL transaction (group commit). Larger batches amortise the fsync;
// smaller ones answer the first client sooner.
inline constexpr std::size_t apply_batch_submissions_max = 256;
// A lost database connection is retried (reconnect, then the batch applied again) after this long at
// first, doubling up to database_retry_max_ms: a database that restarts is back within seconds, and a
// node waiting for one costs it a connection attempt every few seconds.
inline constexpr std::uint32_t database_retry_first_ms = 100;
inline constexpr std::uint32_t database_retry_max_ms = 5'000;
// Submissions waiting to be ordered; past it writes get 503 rather than queue without bound.
inline constexpr std::size_t orderer_queue_submissions_max = 10'000;
// Findings `rxledger audit` and the start-up audit keep and print; past it they only count them, so a
// database tampered with wholesale cannot make the audit itself run out of memory.
inline constexpr std::size_t audit_findings_max = 1000;
// Participant and key identifiers.
inline constexpr std::size_t participant_id_chars_max = 64;
inline constexpr std::size_t key_id_chars_max = 64;

// --- Pack, recall and alert submissions (part of the ledger's rules: every node must agree) --------
// A decommission may be undone up to this long after it, by ordering time, inclusive (EMVS: 10 days).
// A `locked` unit has no limit.
inline constexpr std::int64_t undo_window_ms = 10LL * 86'400 * 1000;
// Lots named by one recall; a larger recall is a withdrawal of the GTIN, or several recalls.
inline constexpr std::size_t recall_lots_max = 1000;
// The free text of a recall's reason and of an alert's message.
inline constexpr std::size_t recall_reason_chars_max = 2000;
inline constexpr std::size_t alert_message_chars_max = 2000;
// The optional request_id of pack and recall bodies: a client's own id for one operation.
inline constexpr std::size_t request_id_chars_max = 64;
// An alert's EMVS hub code ("A3", "A24"): letters and digits.
inline constexpr std::size_t alert_emvs_code_chars_max = 8;
// Alerts in one alert entry (a batch, ledger/apply/alert_body.hpp), and suppressed counts in it.
inline constexpr std::size_t alert_batch_alerts_max = 1000;

// --- Alert aggregation (node-local: how a node batches the alerts it raises) -------------------------
// A node submits at most one alert entry per window: the ledger grows by one entry a window whatever
// the number of suspicious scans (DESIGN.md section 10, rule 3). Alerts wait at most this long.
inline constexpr std::uint32_t alert_window_ms = 1'000;
// Distinct alerts one window (one entry) carries; more are dropped and counted in the next entry.
// Bounded memory, and at most about 256 × 600 bytes of body an entry. At most alert_batch_alerts_max.
inline constexpr std::size_t alert_window_alerts_max = 256;
// Distinct alerts one participant may raise in one window; more are suppressed and counted. An honest
// pharmacy scans a few packs a second and rarely one that alerts; a flood by one token is cut to this
// many alerts a window and cannot crowd out the others' alerts.
inline constexpr std::size_t alert_window_participant_alerts_max = 20;

// --- Recall and alert reads (node-local answers, not ledger rules) ---------------------------------
// Items on one page of /v1/recalls, /v1/recalls/{id}/units and /v1/alerts when perPage is not given,
// and the most perPage may ask for.
inline constexpr std::size_t read_page_items_default = 100;
inline constexpr std::size_t read_page_items_max = 1000;
// Bytes of entries on one page of /v1/ledger/entries (each entry's JSON, body in base64): a page holds
// at most entries_per_page entries and stops before the one that would take it past this size (a
// single larger entry is still sent alone), so a reader cannot have the node build 1000 × 11 MB.
inline constexpr std::size_t ledger_entries_page_bytes_max = 1024 * 1024;
// Units read per database round trip while a recall's CSV export is assembled.
inline constexpr std::size_t recall_csv_chunk_units = 5000;

}  // namespace rxl::limits
