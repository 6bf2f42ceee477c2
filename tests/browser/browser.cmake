# The browser test (label "browser"): a real rxledgerd and PostgreSQL database with the demo supply chain,
# and tests/browser/web_test.mjs driving Debian's chromium through playwright-core against it. It needs
# /usr/bin/chromium, node and `npm ci` in tests/browser, which ./scripts/test provides; it fails, never
# skips, when they are missing.
rxl_test(browser_test SOURCES browser/browser_test.cpp LIBS rxl_test_node LABEL browser)
add_dependencies(browser_test rxledgerd rxledger)
