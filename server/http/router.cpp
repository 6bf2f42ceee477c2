// The route table: literal and {name} segments, 404 when no pattern matches the path, 405 with Allow when
// one does but not for this method.
#include "server/http/router.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <algorithm>
#include <cstdio>

#include "ledger/core/database_error.hpp"

namespace rxl::http {
namespace {

// "/a/b" → {"a", "b"}; "/" → {}; "/a/" → {"a", ""}: the same segmentation Boost.URL gives a path, so
// patterns and request paths agree on trailing slashes.
std::vector<std::string> split_path(std::string_view path) {
    std::vector<std::string> segments;
    if (!path.empty() && path.front() == '/') path.remove_prefix(1);
    if (path.empty()) return segments;
    for (;;) {
        const auto slash = path.find('/');
        segments.emplace_back(path.substr(0, slash));
        if (slash == std::string_view::npos) break;
        path.remove_prefix(slash + 1);
    }
    return segments;
}

// Decoded segments of the request target; falls back to the decoded path for requests built by hand
// (tests, internal calls) that carry no target.
std::vector<std::string> request_segments(const Request& request) {
    if (!request.target.empty()) {
        auto parsed = boost::urls::parse_origin_form(request.target);
        if (parsed) {
            std::vector<std::string> segments;
            for (auto segment : parsed->segments()) segments.push_back(std::move(segment));
            return segments;
        }
    }
    return split_path(request.path);
}

bool is_parameter(std::string_view segment) {
    return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

// Fills params only on a match.
bool match(const std::vector<std::string>& pattern, const std::vector<std::string>& segments,
           std::vector<std::pair<std::string, std::string>>& params) {
    if (pattern.size() != segments.size()) return false;
    std::vector<std::pair<std::string, std::string>> found;
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        if (is_parameter(pattern[i])) {
            if (segments[i].empty()) return false;
            found.emplace_back(pattern[i].substr(1, pattern[i].size() - 2), segments[i]);
        } else if (pattern[i] != segments[i]) {
            return false;
        }
    }
    params = std::move(found);
    return true;
}

// A GET route answers HEAD as well: the same answer, sent without its body.
bool method_matches(std::string_view route_method, std::string_view request_method) {
    return route_method == request_method || (request_method == "HEAD" && route_method == "GET");
}

// The one adapter from a failing database to HTTP: whatever the handler was doing, a database that is
// down or failing is the node's trouble, not the client's, and the client may retry (DESIGN.md §10).
Response run(const Route& route, Request& request) {
    try {
        return route.handler(request);
    } catch (const DatabaseError& error) {
        std::fprintf(stderr, "rxledger: route %s: database failure: %s\n", route.name.c_str(), error.what());
        Response response = problem(make_error(ErrorKind::unavailable, "database-unavailable",
                                               "The node's database is unavailable; retry shortly."));
        response.headers.push_back(Header{"Retry-After", "1"});
        return response;
    }
}

}  // namespace

void Router::add(std::string method, std::string pattern, std::string name, Handler handler, RouteOptions options) {
    RXL_ASSERT_MSG(!pattern.empty() && pattern.front() == '/', "route patterns start with '/'");
    RXL_ASSERT_MSG(static_cast<bool>(handler), "a route needs a handler");
    patterns_.push_back(split_path(pattern));
    routes_.push_back(Route{std::move(method), std::move(pattern), std::move(name), std::move(handler), std::move(options)});
}

std::optional<std::size_t> Router::find(const Request& request, const std::vector<std::string>& segments,
                                        std::vector<std::pair<std::string, std::string>>& params) const {
    for (std::size_t i = 0; i < routes_.size(); ++i) {
        if (method_matches(routes_[i].method, request.method) && match(patterns_[i], segments, params)) return i;
    }
    return std::nullopt;
}

std::optional<Response> Router::dispatch_without_blocking(Request& request, std::string& route_name) const {
    std::vector<std::pair<std::string, std::string>> params;
    const auto found = find(request, request_segments(request), params);
    if (!found || routes_[*found].options.dispatch != Dispatch::io_thread_first) return std::nullopt;
    request.path_params = std::move(params);
    request.may_block = false;
    Response response = run(routes_[*found], request);
    request.may_block = true;
    if (response.is_would_block()) return std::nullopt;
    route_name = routes_[*found].name;
    return response;
}

HeaderVerdict Router::check_header(Request& head, std::string& route_name) const {
    std::vector<std::pair<std::string, std::string>> params;
    const auto found = find(head, request_segments(head), params);
    if (!found || !routes_[*found].options.check_header) return {};
    head.path_params = std::move(params);
    auto answer = routes_[*found].options.check_header(head);
    if (answer) route_name = routes_[*found].name;
    return HeaderVerdict{std::move(answer), !answer.has_value()};
}

Response Router::dispatch(Request& request, std::string& route_name) const {
    const auto segments = request_segments(request);
    std::vector<std::string> allowed;
    for (std::size_t i = 0; i < routes_.size(); ++i) {
        std::vector<std::pair<std::string, std::string>> params;
        if (!match(patterns_[i], segments, params)) continue;
        if (method_matches(routes_[i].method, request.method)) {
            request.path_params = std::move(params);
            route_name = routes_[i].name;
            return run(routes_[i], request);
        }
        if (std::find(allowed.begin(), allowed.end(), routes_[i].method) == allowed.end()) {
            allowed.push_back(routes_[i].method);
        }
    }
    if (allowed.empty()) {
        route_name = "not_found";
        return problem(make_error(ErrorKind::not_found, "not-found", "No resource exists at " + request.path + "."));
    }
    std::string allow;
    for (const auto& method : allowed) allow += (allow.empty() ? "" : ", ") + method;
    route_name = "method_not_allowed";
    Response response = problem(make_error(ErrorKind::method_not_allowed, "method-not-allowed",
                                           request.method + " is not allowed on " + request.path + "; allowed: " + allow + "."));
    response.headers.push_back(Header{"Allow", allow});
    return response;
}

}  // namespace rxl::http
