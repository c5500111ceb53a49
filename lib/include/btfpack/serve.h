// btfpack serve: a BTFHub-online-compatible HTTP service over a BTFHub-archive checkout (and
// packs). GET /api/v1/list, GET /api/v1/download, POST /api/v1/customize (multipart `bpf`),
// GET /api/v1/packs, GET /api/v1/pack, /monitoring/health, /monitoring/metrics. Every limit
// below bounds what one client can make the server hold or spend.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

namespace btfpack {

struct ServeOptions {
    std::string archive;                     // BTFHub-archive checkout (required)
    std::vector<std::string> packs;          // packs served by GET /api/v1/pack
    std::string host = "127.0.0.1";
    int port = 8080;                         // 0: any free port (printed on stdout)
    unsigned threads = 16;                   // HTTP worker threads (connections served at once)
    unsigned max_inflight = 2;               // minimizations computed at once
    double queue_wait_seconds = 5;           // wait for a minimization slot, then 503
    size_t max_body_bytes = 16u << 20;       // request body (413 over it)
    size_t max_objects = 8;                  // `bpf` parts of one customize request
    size_t max_relocations = 200000;         // CO-RE relocations of one request (422 over it)
    double cpu_seconds = 2;                  // CPU time of one minimization (503 over it)
    double read_timeout_seconds = 10, write_timeout_seconds = 10;
    double keep_alive_seconds = 5;
    size_t cache_bytes = 64u << 20;          // results cache (LRU)
    size_t kernel_cache = 2;                 // parsed full kernel BTFs kept (each ~3x its raw size)
    size_t kernel_store_bytes = 256u << 20;  // decompressed kernel BTFs kept zstd-compressed (0: none)
    bool prewarm = false;                    // fill the kernel store from the archive at start and re-scan
    double rescan_seconds = 300;             // archive re-scan interval (0: only on SIGHUP)
    bool quiet = false;                      // no access log on stderr
};

// Scans the archive, opens the packs, serves until SIGTERM/SIGINT (SIGHUP: re-scan). Prints
// "listening on http://HOST:PORT" on stdout once bound. Returns the process exit code; throws
// Error on bad options (unreadable archive, pack that does not open, port in use).
int run_server(const ServeOptions& options);

}  // namespace btfpack
