// The web pages (server/web/), embedded into the binary at build time by server/app/embed_web.cmake.
#pragma once

#include <span>
#include <string_view>

#include "server/http/message.hpp"

namespace rxl::app {

struct WebFile {
    std::string_view name;   // "pharmacy.html": the file's name in server/web/, which has no subfolders
    std::string_view bytes;  // its exact contents
};

// Every embedded file, in the order server/app.cmake lists them.
std::span<const WebFile> web_files();

// The answer for GET of the embedded file `name`: 200 with its bytes and the Content-Type of its extension,
// 304 (no body) when the request's If-None-Match holds its ETag, 404 "page-not-found" for another name.
// Answers with a file carry the page headers (Content-Security-Policy, nosniff, Cache-Control: no-cache,
// ETag, …; docs/web.md).
http::Response serve_web_file(const http::Request& request, std::string_view name);

}  // namespace rxl::app
