// JSON text helpers: string literals for the CLI's --json output and the service's bodies.
#pragma once
#include <cstdio>
#include <string>

namespace btfpack {

// s as a JSON string literal (quotes included; control characters \u-escaped).
inline std::string json_quote(const std::string& s) {
    std::string o = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') o += '\\', o += c;
        else if (static_cast<unsigned char>(c) < 0x20) {
            char b[8];
            std::snprintf(b, sizeof(b), "\\u%04x", c);
            o += b;
        } else o += c;
    }
    return o + "\"";
}

}  // namespace btfpack
