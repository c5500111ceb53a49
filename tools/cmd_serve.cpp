// btfpack-serve (also run as `btfpack serve`): flags -> ServeOptions -> run_server. A binary
// of its own so that the HTTP stack (cpp-httplib and the TLS/compression libraries it links)
// is loaded only by the server, not by every `btfpack build` or `minimize` process.
#include <CLI/CLI.hpp>

#include <iostream>

#include "btfpack/serve.h"

int main(int argc, char** argv) {
    btfpack::ServeOptions o;
    std::string listen = o.host + ":" + std::to_string(o.port);
    CLI::App app{
        "btfpack serve: a BTFHub-online-compatible service over a BTFHub-archive checkout.\n"
        "  GET  /api/v1/list                              kernels of the archive (JSON)\n"
        "  GET  /api/v1/download?distribution=&distribution_version=&arch=&kernel_version=\n"
        "                                                 the kernel's .btf.tar.xz from the archive\n"
        "  POST /api/v1/customize?(same)[&format=raw]     multipart 'bpf' object(s) -> minimized BTF\n"
        "                                                 (.tar.xz with <kernel_version>.btf; raw: the BTF itself)\n"
        "  GET  /api/v1/packs, /api/v1/pack?(same)[&pack=NAME][&format=raw]   BTFs from --pack files\n"
        "  GET  /monitoring/health, /monitoring/metrics (Prometheus)\n"
        "SIGHUP re-scans the archive and re-opens the packs; SIGTERM/SIGINT stop.",
        "btfpack serve"};
    app.add_option("--archive", o.archive, "BTFHub-archive checkout")->required();
    app.add_option("--pack", o.packs, "pack served by /api/v1/pack, named by its file name (repeatable)")
        ->allow_extra_args(false);
    app.add_option("--listen", listen, "HOST:PORT to listen on (port 0: any free port)")->capture_default_str();
    app.add_option("--threads", o.threads, "HTTP worker threads (connections served at once)")->capture_default_str();
    app.add_option("--max-inflight", o.max_inflight, "minimizations computed at once")->capture_default_str();
    app.add_option("--queue-wait", o.queue_wait_seconds, "seconds a request waits for a minimization slot (then 503)")
        ->capture_default_str();
    app.add_option("--max-body", o.max_body_bytes, "request body limit, bytes (413 over it)")->capture_default_str();
    app.add_option("--max-objects", o.max_objects, "'bpf' parts in one customize request")->capture_default_str();
    app.add_option("--max-relocations", o.max_relocations, "CO-RE relocations of one request (422 over it)")
        ->capture_default_str();
    app.add_option("--cpu-seconds", o.cpu_seconds, "CPU time of one minimization (503 over it; 0: none)")
        ->capture_default_str();
    app.add_option("--read-timeout", o.read_timeout_seconds, "seconds a read from a client may stall")->capture_default_str();
    app.add_option("--write-timeout", o.write_timeout_seconds, "seconds a write to a client may stall")->capture_default_str();
    app.add_option("--keep-alive", o.keep_alive_seconds, "seconds an idle keep-alive connection is kept")->capture_default_str();
    app.add_option("--cache-bytes", o.cache_bytes, "customize results cache (LRU), bytes")->capture_default_str();
    app.add_option("--kernel-cache", o.kernel_cache, "parsed full kernel BTFs kept (~15 MB each)")->capture_default_str();
    app.add_option("--kernel-store", o.kernel_store_bytes,
                   "decompressed kernel BTFs kept zstd-compressed, bytes (0: none)")->capture_default_str();
    app.add_flag("--prewarm", o.prewarm, "decompress the archive's kernels into the kernel store at start");
    app.add_option("--rescan", o.rescan_seconds, "archive re-scan interval, seconds (0: only on SIGHUP)")->capture_default_str();
    app.add_flag("-q,--quiet", o.quiet, "no access log on stderr");
    try {
        app.parse(argc, argv);
        size_t colon = listen.rfind(':');
        if (colon == std::string::npos) throw CLI::ValidationError("--listen", "expected HOST:PORT, got '" + listen + "'");
        o.host = listen.substr(0, colon);
        o.port = std::stoi(listen.substr(colon + 1));
        if (o.port < 0 || o.port > 65535) throw CLI::ValidationError("--listen", "port out of range");
        if (o.threads == 0 || o.max_inflight == 0 || o.max_objects == 0 || o.kernel_cache == 0)
            throw CLI::ValidationError("--threads, --max-inflight, --max-objects and --kernel-cache must be at least 1");
    } catch (const CLI::ParseError& e) {
        int rc = app.exit(e);
        return rc == 0 ? 0 : 2;
    } catch (const std::exception& e) {
        std::cerr << "btfpack serve: " << e.what() << "\n";
        return 2;
    }
    try {
        return btfpack::run_server(o);
    } catch (const std::exception& e) {
        std::cerr << "btfpack serve: error: " << e.what() << "\n";
        return 1;
    }
}
