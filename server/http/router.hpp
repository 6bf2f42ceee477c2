// One route table: method + path pattern → handler. Patterns are literal segments and {name} segments
// ("/v1/units/{gtin}/{serial}/history"); a {name} matches one non-empty segment.
//
// Matching works on the request target's path segments, each percent-decoded on its own, so an encoded
// slash ("%2F", allowed in GS1 serial numbers) stays inside its segment. Routes are tried in the order
// they were added; the first match wins. add() must not run concurrently with dispatch(); dispatch() is
// const and may run on many threads at once.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/http/message.hpp"

namespace rxl::http {

// Where a route's handler runs. Handlers run on the worker pool, because they may block. A route whose
// handler can usually answer from memory (verification, from the node's verify index) is tried first on
// the I/O thread that read the request, with Request::may_block false, which saves two thread switches
// per request; when it answers Response::would_block() it runs on a worker as usual.
enum class Dispatch { worker, io_thread_first };

// Runs on an I/O thread once a request's header has arrived and before its body is read, with the
// request as the handler will see it but without its body: a problem Response to answer at once (the
// body is then never read nor buffered), or nothing to go on. It must not block (no database), and
// should check what costs nothing to check: a signed write's key id and signature header.
using HeaderCheck = std::function<std::optional<Response>(const Request& head)>;

struct RouteOptions {
    RouteOptions() = default;
    RouteOptions(Dispatch route_dispatch) : dispatch(route_dispatch) {}  // NOLINT: implicit on purpose
    Dispatch dispatch = Dispatch::worker;
    // A route with a header check takes bodies up to the server's body_bytes_max once the check passed;
    // every other route (and every request no route matches) takes up to unsigned_body_bytes_max.
    HeaderCheck check_header;
};

struct Route {
    std::string method;
    std::string pattern;
    std::string name;  // label for metrics and logs, e.g. "capture"; stable
    Handler handler;
    RouteOptions options;
};

// What the router says of a request whose header has arrived (Router::check_header).
struct HeaderVerdict {
    std::optional<Response> answer;  // answer this now and do not read the body
    bool checked = false;            // a route's header check passed: the large body limit applies
};

class Router {
public:
    void add(std::string method, std::string pattern, std::string name, Handler handler, RouteOptions options = {});

    // Dispatches: fills request.path_params; 404 problem when no pattern matches, 405 (with Allow) when
    // the path matches but the method does not. A GET route answers HEAD too (the server sends the
    // answer without its body). `route_name` gets the matched route's name (or "not_found" /
    // "method_not_allowed") for metrics.
    Response dispatch(Request& request, std::string& route_name) const;
    // For an I/O thread: when the request's route is Dispatch::io_thread_first, runs its handler with
    // may_block false and returns the response, unless the handler answered would_block(). Nothing for
    // every other request (dispatch() it on a worker). Leaves request.may_block true.
    std::optional<Response> dispatch_without_blocking(Request& request, std::string& route_name) const;
    // For an I/O thread, before the body is read: runs the matching route's header check, if it has one.
    // `route_name` gets the route's name when the check refused the request.
    HeaderVerdict check_header(Request& head, std::string& route_name) const;

    const std::vector<Route>& routes() const { return routes_; }

private:
    // The index of the route for the request's method and segments, if any.
    std::optional<std::size_t> find(const Request& request, const std::vector<std::string>& segments,
                                    std::vector<std::pair<std::string, std::string>>& params) const;

    std::vector<Route> routes_;
    std::vector<std::vector<std::string>> patterns_;  // routes_[i]'s pattern split into segments
};

}  // namespace rxl::http
