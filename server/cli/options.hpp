// Minimal option parsing for the CLI: --name value pairs and positional arguments.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace rxl::cli {

struct Options {
    std::map<std::string, std::string> named;
    std::vector<std::string> positional;
    std::string error;

    std::string get(const std::string& name, const std::string& fallback = {}) const {
        auto it = named.find(name);
        return it == named.end() ? fallback : it->second;
    }
    bool has(const std::string& name) const { return named.contains(name); }
};

// Every --name takes one value, except the listed flags.
inline Options parse_options(const std::vector<std::string>& arguments, const std::vector<std::string>& flags = {}) {
    Options options;
    for (std::size_t i = 0; i < arguments.size(); ++i) {
        const std::string& argument = arguments[i];
        if (argument.rfind("--", 0) != 0) {
            options.positional.push_back(argument);
            continue;
        }
        std::string name = argument.substr(2);
        bool is_flag = std::find(flags.begin(), flags.end(), name) != flags.end();
        if (is_flag) {
            options.named[name] = "1";
        } else if (i + 1 < arguments.size()) {
            options.named[name] = arguments[++i];
        } else {
            options.error = "option --" + name + " needs a value";
        }
    }
    return options;
}

}  // namespace rxl::cli
