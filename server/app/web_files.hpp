// The web pages (server/web/), embedded into the binary at build time by server/app/embed_web.cmake.
#pragma once

#include <span>
#include <string_view>

namespace rxl::app {

struct WebFile {
    std::string_view name;   // "pharmacy.html": the file's name in server/web/, which has no subfolders
    std::string_view bytes;  // its exact contents
};

// Every embedded file, in the order server/app.cmake lists them.
std::span<const WebFile> web_files();

}  // namespace rxl::app
