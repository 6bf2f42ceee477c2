// The embedded web pages (server/app/web_handlers.cpp): what GET answers for each file, the page headers,
// ETag revalidation, unknown names, and that no page loads anything from another site.
#include <doctest/doctest.h>

#include <regex>
#include <string>

#include "server/app/web_files.hpp"

namespace {

using rxl::app::serve_web_file;
using rxl::app::web_files;

std::string header(const rxl::http::Response& response, std::string_view name) {
    for (const auto& field : response.headers) {
        if (field.name == name) return field.value;
    }
    return {};
}

rxl::http::Request get(std::string_view if_none_match = {}) {
    rxl::http::Request request;
    request.method = "GET";
    if (!if_none_match.empty()) request.headers.push_back({"If-None-Match", std::string(if_none_match)});
    return request;
}

}  // namespace

TEST_CASE("web: the pages the route table links to are embedded") {
    for (const char* name : {"index.html", "pharmacy.html", "regulator.html", "style.css", "pharmacy.js", "regulator.js", "receipt.js"}) {
        CAPTURE(name);
        CHECK(serve_web_file(get(), name).status == 200);
    }
}

TEST_CASE("web: each file is served byte for byte with its type and the page headers") {
    REQUIRE(!web_files().empty());
    for (const auto& file : web_files()) {
        CAPTURE(file.name);
        auto response = serve_web_file(get(), file.name);
        CHECK(response.status == 200);
        CHECK(response.body == file.bytes);
        std::string_view name = file.name;
        std::string expected = name.ends_with(".html") ? "text/html; charset=utf-8"
                             : name.ends_with(".css")  ? "text/css; charset=utf-8"
                                                       : "text/javascript; charset=utf-8";
        CHECK(response.content_type == expected);
        CHECK(header(response, "Content-Security-Policy").starts_with("default-src 'self';"));
        CHECK(header(response, "Content-Security-Policy").find("unsafe") == std::string::npos);
        CHECK(header(response, "X-Content-Type-Options") == "nosniff");
        CHECK(header(response, "Cache-Control") == "no-cache");
        CHECK(header(response, "ETag").size() == 34);  // a quoted 128-bit hex digest
    }
}

TEST_CASE("web: a matching If-None-Match answers 304 without a body, another ETag gets the file") {
    auto first = serve_web_file(get(), "pharmacy.js");
    std::string etag = header(first, "ETag");
    auto again = serve_web_file(get(etag), "pharmacy.js");
    CHECK(again.status == 304);
    CHECK(again.body.empty());
    CHECK(again.content_type.empty());
    CHECK(header(again, "ETag") == etag);
    CHECK(serve_web_file(get("\"00000000000000000000000000000000\""), "pharmacy.js").status == 200);
    CHECK(header(serve_web_file(get(), "regulator.js"), "ETag") != etag);
}

TEST_CASE("web: a name that is not an embedded file is 404 page-not-found") {
    for (const char* name : {"nothing.js", "", "..", "../CMakeLists.txt", "INDEX.HTML", "index.html/"}) {
        CAPTURE(name);
        auto response = serve_web_file(get(), name);
        CHECK(response.status == 404);
        CHECK(response.body.find("page-not-found") != std::string::npos);
    }
}

TEST_CASE("web: no page loads a script, style, image or module from another site") {
    // src= / href= of elements, url() in CSS, and import … from in modules must all be same-origin paths.
    const std::regex external(R"((src|href)\s*=\s*["']?\s*(https?:)?//|url\(\s*["']?\s*(https?:)?//|from\s+["'](https?:)?//|import\(\s*["'](https?:)?//)",
                              std::regex::icase);
    for (const auto& file : web_files()) {
        CAPTURE(file.name);
        CHECK_FALSE(std::regex_search(std::string(file.bytes), external));
    }
}
