// The web pages (docs/web.md): GET / answers the start page, GET /web/{file} one file of server/web/.
//
// The files are embedded in the binary (web_files.hpp), so a node serves exactly the pages it was built
// with. No page needs a credential to load; every read and write the pages make is authenticated by the
// API as any client's is (a bearer token for reads, a participant's signature for writes).
//
// Every answer with a file carries a strict Content-Security-Policy: scripts, styles, images and API calls come from
// this node only, so nothing can load from the internet and no injected inline script can run.
#include <fmt/format.h>

#include <map>
#include <string>

#include "ledger/core/bytes.hpp"
#include "ledger/crypto/sha256.hpp"
#include "server/app/handlers.hpp"
#include "server/app/web_files.hpp"

namespace rxl::app {

namespace {

constexpr std::string_view start_page = "index.html";

// Scripts, styles, images, fetches and media from this node only (default-src covers them all; the camera
// preview plays a MediaStream, which needs no source); no inline script or style, no plugins, no <base>,
// forms post only here, and no other site may frame the pages.
constexpr std::string_view content_security_policy =
    "default-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

// Browsers revalidate every time (no-cache) and get 304 while the ETag matches, so a node that was
// upgraded never serves an old page next to a new script.
constexpr std::string_view cache_control = "no-cache";

std::string_view content_type_of(std::string_view name) {
    auto ends_with = [name](std::string_view suffix) { return name.ends_with(suffix); };
    if (ends_with(".html")) return "text/html; charset=utf-8";
    if (ends_with(".css")) return "text/css; charset=utf-8";
    if (ends_with(".js") || ends_with(".mjs")) return "text/javascript; charset=utf-8";
    if (ends_with(".svg")) return "image/svg+xml";
    if (ends_with(".png")) return "image/png";
    if (ends_with(".ico")) return "image/x-icon";
    return "application/octet-stream";
}

struct ServedFile {
    std::string_view bytes;
    std::string_view content_type;
    std::string etag;
};

// The embedded files by name with their ETags, computed once (the files never change while a node runs).
const std::map<std::string_view, ServedFile, std::less<>>& served_files() {
    static const auto files = [] {
        std::map<std::string_view, ServedFile, std::less<>> out;
        for (const WebFile& file : web_files()) {
            Hash digest = sha256(file.bytes);
            std::string etag = "\"" + to_hex(std::span<const std::uint8_t>(digest.data(), 16)) + "\"";
            out.emplace(file.name, ServedFile{file.bytes, content_type_of(file.name), std::move(etag)});
        }
        return out;
    }();
    return files;
}

void add_page_headers(http::Response& response) {
    response.headers.push_back({"Content-Security-Policy", std::string(content_security_policy)});
    response.headers.push_back({"X-Content-Type-Options", "nosniff"});
    response.headers.push_back({"Referrer-Policy", "no-referrer"});
    response.headers.push_back({"Permissions-Policy", "camera=(self), microphone=(), geolocation=()"});
}

bool etag_matches(const http::Request& request, std::string_view etag) {
    auto header = request.header("If-None-Match");
    return header && (header->find(etag) != std::string_view::npos || *header == "*");
}

}  // namespace

http::Response serve_web_file(const http::Request& request, std::string_view name) {
    const auto& files = served_files();
    auto found = files.find(name);
    if (found == files.end()) {
        return http::problem(make_error(ErrorKind::not_found, "page-not-found", fmt::format("no page is called {}", name)));
    }
    const ServedFile& file = found->second;
    http::Response response;
    if (etag_matches(request, file.etag)) {
        response.status = 304;
        response.content_type.clear();
    } else {
        response = http::Response::text(200, std::string(file.content_type), std::string(file.bytes));
    }
    response.headers.push_back({"ETag", file.etag});
    response.headers.push_back({"Cache-Control", std::string(cache_control)});
    add_page_headers(response);
    return response;
}

http::Response web_start_page(App&, const http::Request& request) { return serve_web_file(request, start_page); }

http::Response web_file(App&, const http::Request& request) { return serve_web_file(request, request.path_param("file")); }

}  // namespace rxl::app
