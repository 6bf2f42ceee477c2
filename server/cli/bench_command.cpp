// `rxledger bench-load` and `rxledger bench-reach`: the load generator of scripts/bench.
//
//   rxledger bench-load --dir DIR --node URL[,URL...] --units N [--connections C] [--scans FILE]
//                       [--scan-lines N] [--flood FILE] [--ship-percent P] [--recall-every-lots K]
//   rxledger bench-reach --node URL --token T --recall ID [--repeat N]
//   rxledger bench-stream --dir DIR --node URL --acks FILE --from K [--connections C] [--units U]
//
// bench-load drives a node (or several, round robin by connection) exactly as participants do: it builds
// EPCIS documents of 1,000 commissioned units, signs each with the manufacturer's key and posts it to
// POST /v1/capture over HTTPS keep-alive from C connections at once; then ships part of the units to the
// wholesaler, which receives half of those; then the regulator recalls every K-th lot. It prints one
// `name=value` line per figure (phases in seconds and unit-events per second) for the script to read,
// and writes a list of verification requests for wrk: scan strings of random existing units, of units
// of recalled lots and of unknown serials, as GET /v1/verify?code=… targets, one per line; and, with
// --flood, as many targets of made-up serials of known GTINs only, for the alert-flood step.
//
// bench-stream is the writer of the kill -9 drill: it posts commissioning documents of U units (document
// K, K+1, … with serials "K<document>x<i>", so rounds never collide) until the node stops answering, and
// appends "seq submission_id" of each acknowledged one to FILE, flushed line by line, for the script to
// look for after the restart.
//
// Layout of the generated data (deterministic, so a scan list can be made for any unit without keeping
// them): unit u (0-based) is in document d = u / 1000, lot d / lots_documents, of GTIN
// gtins[lot % gtin_count], with serial "B<u>".
#include <boost/json.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <mutex>
#include <optional>
#include <random>
#include <thread>

#include "server/cli/commands.hpp"
#include "server/cli/epcis_builder.hpp"
#include "server/cli/options.hpp"
#include "server/http/message.hpp"

namespace rxl::cli {

namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

constexpr std::size_t document_units = 1000;        // units per captured document, as the issue asks
constexpr std::size_t lot_documents = 10;           // a lot is 10,000 units
constexpr std::size_t gtin_count = 10;              // products of the manufacturer
constexpr const char* expiry_date = "2030-12-31";
constexpr const char* expiry_yymmdd = "301231";
constexpr const char* maker_prefix = "4012345";     // acme-pharma in `rxledger dev-consortium`
constexpr const char* wholesaler_prefix = "4098765";  // medi-wholesale

int fail(const std::string& message) {
    std::cerr << "rxledger: " << message << "\n";
    return 1;
}

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

struct Layout {
    std::size_t units = 0;
    std::size_t documents() const { return (units + document_units - 1) / document_units; }
    std::size_t lots() const { return (documents() + lot_documents - 1) / lot_documents; }
    static std::size_t lot_of_document(std::size_t document) { return document / lot_documents; }
    static std::string lot_name(std::size_t lot) { return fmt::format("L{:06}", lot); }
    static std::string gtin_of_lot(std::size_t lot) { return make_gtin(maker_prefix, 1 + lot % gtin_count); }
    static Unit unit(std::size_t index) {
        return Unit{gtin_of_lot(lot_of_document(index / document_units)), fmt::format("B{}", index)};
    }
    // The units of one document: [first, last).
    std::pair<std::size_t, std::size_t> document_range(std::size_t document) const {
        std::size_t first = document * document_units;
        return {first, std::min(units, first + document_units)};
    }
};

struct Targets {
    std::vector<http::NodeUrl> nodes;
};

Result<Targets> parse_targets(const std::string& list) {
    Targets targets;
    std::size_t start = 0;
    while (start <= list.size()) {
        std::size_t comma = list.find(',', start);
        if (comma == std::string::npos) comma = list.size();
        auto url = http::parse_node_url(list.substr(start, comma - start));
        if (!url) return url.error();
        targets.nodes.push_back(*url);
        start = comma + 1;
    }
    return targets;
}

// Runs `documents` posts from `connections` threads; make(d) gives the body of document d and its
// unit-events. Returns the number of failed posts (the first few are printed).
struct Phase {
    std::string name;
    std::size_t documents = 0;
    std::function<std::pair<std::string, std::size_t>(std::size_t)> make;
    const KeyFile* key = nullptr;
};

struct PhaseResult {
    double seconds = 0;
    std::uint64_t unit_events = 0;
    std::uint64_t failures = 0;
};

PhaseResult run_phase(const Phase& phase, const Targets& targets, std::size_t connections) {
    std::atomic<std::size_t> next{0};
    std::atomic<std::uint64_t> unit_events{0}, failures{0};
    std::mutex print_mutex;
    auto start = Clock::now();
    std::vector<std::thread> threads;
    for (std::size_t c = 0; c < connections; ++c) {
        threads.emplace_back([&, c] {
            const auto& node = targets.nodes[c % targets.nodes.size()];
            http::HttpsClient client(node.host, node.port);
            for (std::size_t d = next++; d < phase.documents; d = next++) {
                auto [body, events] = phase.make(d);
                auto response = post_signed(client, "/v1/capture", SubmissionKind::epcis, body, *phase.key);
                bool accepted = response && (response->status == 201 || response->status == 200);
                if (accepted) {
                    unit_events += events;
                    continue;
                }
                if (++failures <= 3) {
                    std::lock_guard lock(print_mutex);
                    std::cerr << fmt::format("bench-load: {} document {}: {}\n", phase.name, d,
                                             response ? fmt::format("{} {}", response->status, response->body.substr(0, 300))
                                                      : response.error().detail);
                }
            }
        });
    }
    for (auto& thread : threads) thread.join();
    return PhaseResult{seconds_since(start), unit_events.load(), failures.load()};
}

// The ledger size a node reports on /readyz, or nothing when it does not answer.
std::optional<std::uint64_t> ledger_size(const http::NodeUrl& node) {
    http::HttpsClient client(node.host, node.port);
    auto response = client.request("GET", "/readyz");
    if (!response || response->status != 200) return std::nullopt;
    boost::system::error_code error;
    json::value parsed = json::parse(response->body, error);
    const json::value* size = !error && parsed.is_object() ? parsed.as_object().if_contains("ledger_size") : nullptr;
    if (size == nullptr || !size->is_number()) return std::nullopt;
    return size->to_number<std::uint64_t>();
}

// With several nodes, a phase's documents were acknowledged by the node each was posted to; the next phase
// (shipping what was commissioned) may go to another node, so wait until every node has applied as much
// as the furthest one. Untimed. False after `timeout` without that.
bool wait_for_nodes(const Targets& targets, std::chrono::seconds timeout) {
    if (targets.nodes.size() < 2) return true;
    std::uint64_t furthest = 0;
    for (const auto& node : targets.nodes) furthest = std::max(furthest, ledger_size(node).value_or(0));
    auto deadline = Clock::now() + timeout;
    for (const auto& node : targets.nodes) {
        while (ledger_size(node).value_or(0) < furthest) {
            if (Clock::now() > deadline) return false;
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
        }
    }
    return true;
}

std::vector<std::string> document_links(const Layout& layout, std::size_t document) {
    auto [first, last] = layout.document_range(document);
    std::vector<std::string> links;
    links.reserve(last - first);
    for (std::size_t u = first; u < last; ++u) links.push_back(sgtin_link(Layout::unit(u)));
    return links;
}

void report(const std::string& name, const PhaseResult& result) {
    double rate = result.seconds > 0 ? static_cast<double>(result.unit_events) / result.seconds : 0;
    std::cout << fmt::format("{}_seconds={:.3f}\n{}_unit_events={}\n{}_unit_events_per_s={:.0f}\n{}_failures={}\n", name,
                             result.seconds, name, result.unit_events, name, rate, name, result.failures);
}

std::string scan_target(const Unit& unit, const std::string& lot) {
    std::string scan = fmt::format("]d201{}17{}10{}\x1d" "21{}", unit.gtin, expiry_yymmdd, lot, unit.serial);
    return "/v1/verify?code=" + http::percent_encode(scan);
}

// 94 % random existing units, 5 % units of recalled lots, 1 % unknown serials of known GTINs.
void write_scans(const std::string& path, const Layout& layout, const std::vector<std::size_t>& recalled_lots,
                 std::size_t lines) {
    std::ofstream out(path, std::ios::trunc);
    std::mt19937_64 random(20240601);
    std::uniform_int_distribution<std::size_t> any_unit(0, layout.units - 1);
    std::uniform_int_distribution<std::size_t> percent(0, 99);
    for (std::size_t i = 0; i < lines; ++i) {
        std::size_t p = percent(random);
        if (p == 0) {
            Unit unknown{Layout::gtin_of_lot(i % layout.lots()), fmt::format("X{}", random() % 1'000'000'000)};
            out << scan_target(unknown, Layout::lot_name(i % layout.lots())) << "\n";
            continue;
        }
        std::size_t u = any_unit(random);
        if (p <= 5 && !recalled_lots.empty()) {
            std::size_t lot = recalled_lots[random() % recalled_lots.size()];
            std::size_t first = lot * lot_documents * document_units;
            std::size_t span = std::min(layout.units, first + lot_documents * document_units) - first;
            u = first + random() % span;
        }
        out << scan_target(Layout::unit(u), Layout::lot_name(Layout::lot_of_document(u / document_units))) << "\n";
    }
}

// The hostile half of the alert-flood step: scans of unknown serials of known GTINs (each one an
// UNKNOWN_SERIAL alert, A3), random and distinct, as a client flooding the node with made-up packs sends.
void write_flood(const std::string& path, const Layout& layout, std::size_t lines) {
    std::ofstream out(path, std::ios::trunc);
    std::mt19937_64 random(20240602);
    for (std::size_t i = 0; i < lines; ++i) {
        std::size_t lot = i % layout.lots();
        Unit unknown{Layout::gtin_of_lot(lot), fmt::format("Z{}", random() % 1'000'000'000'000)};
        out << scan_target(unknown, Layout::lot_name(lot)) << "\n";
    }
}

// Recalls every `every`-th lot (lot 0 first), one recall each, as the regulator. Returns the recall ids.
std::vector<std::uint64_t> recall_lots(const Targets& targets, const KeyFile& regulator, const std::vector<std::size_t>& lots) {
    http::HttpsClient client(targets.nodes[0].host, targets.nodes[0].port);
    std::vector<std::uint64_t> ids;
    for (std::size_t lot : lots) {
        json::object body{{"gtin", Layout::gtin_of_lot(lot)},
                          {"lots", json::array{json::string(Layout::lot_name(lot))}},
                          {"class", "II"},
                          {"reason", "benchmark recall"}};
        auto response = post_signed(client, "/v1/recalls", SubmissionKind::recall, json::serialize(body), regulator);
        if (!response || (response->status != 201 && response->status != 200)) {
            std::cerr << "bench-load: recall of lot " << lot << " failed: "
                      << (response ? response->body : response.error().detail) << "\n";
            continue;
        }
        ids.push_back(json::parse(response->body).at("seq").to_number<std::uint64_t>());
    }
    return ids;
}

}  // namespace

int bench_load(const Arguments& arguments) {
    Options options = parse_options(arguments);
    if (!options.error.empty() || !options.has("dir") || !options.has("units")) {
        return fail("usage: rxledger bench-load --dir DIR --node URL[,URL...] --units N [--connections C] [--scans FILE] "
                    "[--scan-lines N] [--flood FILE] [--ship-percent P] [--recall-every-lots K]");
    }
    fs::path dir = options.get("dir");
    auto maker = read_key_file((dir / "keys" / "acme-pharma.key").string());
    auto wholesaler = read_key_file((dir / "keys" / "medi-wholesale.key").string());
    auto regulator = read_key_file((dir / "keys" / "health-authority.key").string());
    if (!maker || !wholesaler || !regulator) return fail("the development keys are missing under " + dir.string());
    auto targets = parse_targets(options.get("node", "https://localhost:8443"));
    if (!targets) return fail(targets.error().detail);
    Layout layout{std::stoull(options.get("units"))};
    if (layout.units == 0) return fail("--units must be at least 1");
    std::size_t connections = std::stoull(options.get("connections", "8"));
    std::size_t ship_percent = std::stoull(options.get("ship-percent", "10"));
    std::size_t recall_every = std::max<std::size_t>(1, std::stoull(options.get("recall-every-lots", "50")));
    const std::string maker_gln = make_gln(maker_prefix, 1), wholesaler_gln = make_gln(wholesaler_prefix, 1);
    const std::int64_t time_ms = now_ms();

    Phase commission{"commission", layout.documents(), [&](std::size_t d) {
        auto [first, last] = layout.document_range(d);
        std::vector<Unit> units;
        units.reserve(last - first);
        for (std::size_t u = first; u < last; ++u) units.push_back(Layout::unit(u));
        std::size_t lot = Layout::lot_of_document(d);
        return std::pair{commission_document(units, Layout::lot_name(lot), expiry_date, maker_gln, time_ms), last - first};
    }, &*maker};
    std::size_t shipped_documents = layout.documents() * ship_percent / 100;
    Phase ship{"ship", shipped_documents, [&](std::size_t d) {
        auto links = document_links(layout, d);
        std::size_t count = links.size();
        return std::pair{ship_document(links, maker_gln, wholesaler_gln, time_ms + 1), count};
    }, &*maker};
    Phase receive{"receive", shipped_documents / 2, [&](std::size_t d) {
        auto links = document_links(layout, d);
        std::size_t count = links.size();
        return std::pair{receive_document(links, wholesaler_gln, time_ms + 2), count};
    }, &*wholesaler};

    PhaseResult total;
    for (const Phase* phase : {&commission, &ship, &receive}) {
        PhaseResult result = run_phase(*phase, *targets, connections);
        report(phase->name, result);
        if (!wait_for_nodes(*targets, std::chrono::seconds(120))) {
            std::cerr << "bench-load: the nodes did not reach the same ledger size after " << phase->name << "\n";
            ++result.failures;
        }
        total.seconds += result.seconds;
        total.unit_events += result.unit_events;
        total.failures += result.failures;
    }
    report("capture", total);

    std::vector<std::size_t> lots;
    for (std::size_t lot = 0; lot < layout.lots(); lot += recall_every) lots.push_back(lot);
    auto ids = recall_lots(*targets, *regulator, lots);
    std::cout << fmt::format("recalls={}\n", ids.size());
    if (!ids.empty()) std::cout << fmt::format("recall_id={}\nrecall_lot_units={}\n", ids.front(),
                                               std::min(layout.units, lot_documents * document_units));
    if (options.has("scans")) {
        write_scans(options.get("scans"), layout, lots, std::stoull(options.get("scan-lines", "100000")));
    }
    if (options.has("flood")) write_flood(options.get("flood"), layout, std::stoull(options.get("scan-lines", "100000")));
    return total.failures == 0 && ids.size() == lots.size() ? 0 : 1;
}

int bench_stream(const Arguments& arguments) {
    Options options = parse_options(arguments);
    if (!options.error.empty() || !options.has("dir") || !options.has("acks") || !options.has("from")) {
        return fail("usage: rxledger bench-stream --dir DIR --node URL --acks FILE --from K [--connections C] [--units U]");
    }
    auto maker = read_key_file((fs::path(options.get("dir")) / "keys" / "acme-pharma.key").string());
    if (!maker) return fail("the development keys are missing under " + options.get("dir"));
    auto targets = parse_targets(options.get("node", "https://localhost:8443"));
    if (!targets) return fail(targets.error().detail);
    const std::size_t from = std::stoull(options.get("from"));
    const std::size_t connections = std::max<std::size_t>(1, std::stoull(options.get("connections", "4")));
    const std::size_t units_per_document = std::max<std::size_t>(1, std::stoull(options.get("units", "100")));
    const std::string maker_gln = make_gln(maker_prefix, 1);
    const std::string gtin = make_gtin(maker_prefix, gtin_count + 1);
    const std::int64_t time_ms = now_ms();
    std::ofstream acks(options.get("acks"), std::ios::app);
    if (!acks) return fail("cannot write " + options.get("acks"));
    std::mutex acks_mutex;
    std::atomic<std::size_t> next{0};
    std::atomic<std::uint64_t> acked{0}, refused{0};
    std::vector<std::thread> threads;
    for (std::size_t c = 0; c < connections; ++c) {
        threads.emplace_back([&, c] {
            const auto& node = targets->nodes[c % targets->nodes.size()];
            http::HttpsClient client(node.host, node.port);
            for (;;) {
                std::size_t d = from + next++;
                std::vector<Unit> units;
                for (std::size_t i = 0; i < units_per_document; ++i) units.push_back(Unit{gtin, fmt::format("K{}x{}", d, i)});
                auto body = commission_document(units, "DRILL", expiry_date, maker_gln, time_ms + static_cast<std::int64_t>(d));
                auto response = post_signed(client, "/v1/capture", SubmissionKind::epcis, body, *maker);
                if (!response) return;  // the node is gone: this writer's stream ends here
                if (response->status != 201 && response->status != 200) {
                    if (++refused <= 3) std::cerr << fmt::format("bench-stream: document {}: {} {}\n", d, response->status, response->body.substr(0, 300));
                    return;
                }
                boost::system::error_code error;
                json::value parsed = json::parse(response->body, error);
                const json::object* entry = !error && parsed.is_object() ? &parsed.as_object() : nullptr;
                if (entry == nullptr || !entry->contains("seq") || !entry->contains("submission_id")) {
                    ++refused;
                    return;
                }
                std::lock_guard lock(acks_mutex);
                acks << entry->at("seq").to_number<std::uint64_t>() << ' ' << entry->at("submission_id").as_string().c_str() << '\n';
                acks.flush();
                ++acked;
            }
        });
    }
    for (auto& thread : threads) thread.join();
    std::cout << fmt::format("acked={}\nrefused={}\ndocuments_posted={}\n", acked.load(), refused.load(), next.load());
    return refused == 0 ? 0 : 1;
}

int bench_reach(const Arguments& arguments) {
    Options options = parse_options(arguments);
    if (!options.error.empty() || !options.has("token") || !options.has("recall")) {
        return fail("usage: rxledger bench-reach --node URL --token T --recall ID [--repeat N]");
    }
    auto client = connect_node(options.get("node"), options.get("ca"));
    if (!client) return fail(client.error().detail);
    std::size_t repeat = std::max<std::size_t>(1, std::stoull(options.get("repeat", "10")));
    std::vector<http::Header> headers{{"Authorization", "Bearer " + options.get("token")}};
    std::string target = "/v1/recalls/" + options.get("recall");
    if (auto warm = client->request("GET", "/readyz"); !warm) return fail(warm.error().detail);  // the handshake, untimed
    std::vector<double> ms;
    double first_ms = 0;  // the first read of the lot's rows, before PostgreSQL caches them
    std::uint64_t units = 0;
    for (std::size_t i = 0; i < repeat; ++i) {
        auto start = Clock::now();
        auto response = client->request("GET", target, {}, headers);
        ms.push_back(seconds_since(start) * 1000);
        if (i == 0) first_ms = ms.back();
        if (!response || response->status != 200) return fail("reach: " + (response ? response->body : response.error().detail));
        units = json::parse(response->body).at("reach").at("units").to_number<std::uint64_t>();
    }
    std::sort(ms.begin(), ms.end());
    std::cout << fmt::format("reach_units={}\nreach_first_ms={:.2f}\nreach_median_ms={:.2f}\nreach_max_ms={:.2f}\n", units,
                             first_ms, ms[ms.size() / 2], ms.back());
    return 0;
}

}  // namespace rxl::cli
