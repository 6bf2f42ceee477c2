// The driver of the browser test: starts a node on a free loopback port with its own database, records
// the demo supply chain through the CLI, then runs tests/browser/web_test.mjs (Playwright + chromium) with
// the node's address, the development consortium's folder and the demo pack, and checks that it passed.
// Screenshots and the downloaded CSV land in var/test-artifacts/browser/.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <regex>

#include "tests/support/test_node.hpp"

namespace {

namespace fs = std::filesystem;

std::string shell_quote(const std::string& text) {
    std::string out = "'";
    for (char c : text) {
        if (c == '\'') out += "'\\''";
        else out.push_back(c);
    }
    return out + "'";
}

}  // namespace

TEST_CASE("browser: the pharmacy counter and the regulator's desk in chromium") {
    const fs::path browser_dir = fs::path(RXL_SOURCE_DIR) / "tests" / "browser";
    const fs::path artifacts = fs::path(RXL_SOURCE_DIR) / "var" / "test-artifacts" / "browser";
    // Missing tools are a failure with a reason, never a skip.
    REQUIRE_MESSAGE(fs::exists("/usr/bin/chromium"), "/usr/bin/chromium is missing: run ./scripts/test, which installs it");
    REQUIRE_MESSAGE(fs::exists(browser_dir / "node_modules" / "playwright-core"),
                    "tests/browser/node_modules is missing: run ./scripts/test, or npm ci in tests/browser");

    rxl::test::TestNode node;
    node.start();
    const std::string demo = rxl::test::run_command(fmt::format("{}/server/rxledger demo --dir {} {}", RXL_BINARY_DIR,
                                                                shell_quote(node.dir().string()), node.cli_node_options()));
    // The demo prints a pack at the pharmacy as a bracketed element string: (01)…(17)…(10)…(21)….
    std::smatch pack;
    REQUIRE_MESSAGE(std::regex_search(demo, pack, std::regex(R"(\(01\)\d{14}\(17\)\d{6}\(10\)[^(\s]+\(21\)\S+)")),
                    "the demo printed no pack: " << demo);

    fs::create_directories(artifacts);
    const std::string command = fmt::format(
        "cd {} && RXL_WEB_URL=https://127.0.0.1:{} RXL_DEV_DIR={} RXL_DEMO_PACK={} RXL_ARTIFACTS={} node web_test.mjs",
        shell_quote(browser_dir.string()), node.port(), shell_quote(node.dir().string()), shell_quote(pack.str()),
        shell_quote(artifacts.string()));
    const int status = std::system(command.c_str());
    REQUIRE_MESSAGE(WIFEXITED(status), "web_test.mjs did not run to its end (wait status " << status << ")");
    CHECK_MESSAGE(WEXITSTATUS(status) == 0, "web_test.mjs failed; see its output above and " << artifacts.string());
}
