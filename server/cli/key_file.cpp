#include "server/cli/key_file.hpp"

#include <sys/stat.h>

#include <fstream>
#include <sstream>

namespace rxl::cli {

namespace {
std::string label(const std::string& text, const std::string& name) {
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
        if (line.rfind(name + ": ", 0) == 0) return line.substr(name.size() + 2);
    }
    return {};
}
}  // namespace

Result<KeyFile> read_key_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) return make_error(ErrorKind::invalid_input, "bad-key-file", "cannot read key file " + path);
    std::ostringstream text;
    text << in.rdbuf();
    auto key = PrivateKey::from_pem(text.str());
    if (!key) return make_error(ErrorKind::invalid_input, "bad-key-file", path + ": " + key.error().detail);
    KeyFile file{label(text.str(), "rxledger-participant"), label(text.str(), "rxledger-key-id"), std::move(key).value()};
    if (file.participant.empty() || file.key_id.empty()) {
        return make_error(ErrorKind::invalid_input, "bad-key-file",
                          path + " lacks the 'rxledger-participant:' and 'rxledger-key-id:' lines");
    }
    return file;
}

Status write_key_file(const std::string& path, const std::string& participant, const std::string& key_id,
                      const PrivateKey& key) {
    std::ofstream out(path, std::ios::trunc);
    if (!out) return make_error(ErrorKind::invalid_input, "bad-key-file", "cannot write " + path);
    ::chmod(path.c_str(), 0600);
    out << "rxledger-participant: " << participant << "\nrxledger-key-id: " << key_id << "\n" << key.to_pem();
    return out ? ok_status() : make_error(ErrorKind::internal, "write-failed", "writing " + path + " failed");
}

}  // namespace rxl::cli
