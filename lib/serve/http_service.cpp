// btfpack serve's HTTP layer (cpp-httplib): BTFHub online's routes and ours, JSON errors,
// metrics, and the process around them: signals (SIGHUP re-scans, SIGTERM/SIGINT stop) and the
// re-scan interval. The work itself is in KernelIndex, PackSet and Customizer.
#include <httplib.h>
#include <fcntl.h>
#include <malloc.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <bpf/btf.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <mutex>
#include <thread>

#include "btfpack/reader.h"
#include "btfpack/serve.h"
#include "serve/customizer.h"
#include "util/json_text.h"
#include "serve/kernel_index.h"
#include "serve/metrics.h"
#include "serve/pack_set.h"
#include "serve/service_error.h"
#include "serve/tar_xz.h"

namespace btfpack {
namespace {

using httplib::Request;
using httplib::Response;

// Whatever the server answers from: replaced whole by a re-scan.
struct Snapshot {
    std::shared_ptr<const KernelIndex> kernels;
    std::shared_ptr<const PackSet> packs;
    long long scanned_unix = 0;
};

void json_error(Response& res, int status, const std::string& message) {
    res.status = status;
    res.set_content("{\"error\":" + json_quote(message) + ",\"status\":" + std::to_string(status) + "}\n",
                    "application/json");
}

// A name as BTFHub-archive has them: one directory or file name component, printable.
std::string checked_name(const Request& req, const char* param, bool required = true) {
    if (!req.has_param(param)) {
        if (!required) return "";
        throw ServiceError(400, std::string("missing query parameter '") + param + "'");
    }
    std::string v = req.get_param_value(param);
    auto bad = [&](const char* why) {
        return ServiceError(400, std::string("bad query parameter '") + param + "': " + why);
    };
    if (v.empty()) throw bad("empty");
    if (v.size() > 255) throw bad("longer than 255 bytes");
    if (v == "." || v == "..") throw bad("'.' and '..' name no kernel");
    for (unsigned char c : v)
        if (c == '/' || c < 0x20 || c == 0x7f) throw bad("contains '/' or a control character");
    return v;
}

KernelKey kernel_from_query(const Request& req) {
    return KernelKey{checked_name(req, "distribution"), checked_name(req, "distribution_version"), checked_name(req, "arch"),
                     checked_name(req, "kernel_version")};
}

enum class Format { TarXz, Raw };
Format format_from_query(const Request& req) {
    if (!req.has_param("format")) return Format::TarXz;
    std::string f = req.get_param_value("format");
    if (f == "tar.xz") return Format::TarXz;
    if (f == "raw" || f == "btf") return Format::Raw;
    throw ServiceError(400, "bad query parameter 'format': '" + f + "' (use tar.xz, the default, or raw)");
}

void send_btf(Response& res, const KernelKey& key, Format format, const std::vector<uint8_t>& raw,
              const std::vector<uint8_t>* tar_xz) {
    std::vector<uint8_t> made;
    if (format == Format::TarXz && !tar_xz) tar_xz = &(made = single_file_tar_xz(key.kernel + ".btf", raw));
    const std::vector<uint8_t>& body = format == Format::Raw ? raw : *tar_xz;
    std::string file = key.kernel + (format == Format::Raw ? ".btf" : ".btf.tar.xz");
    res.set_header("Content-Disposition", "attachment; filename=\"" + file + "\"");
    res.set_content(reinterpret_cast<const char*>(body.data()), body.size(), "application/octet-stream");
}

class Service {
public:
    explicit Service(const ServeOptions& o) : options_(o), customizer_(o, &metrics_) {
        snapshot_ = std::make_shared<Snapshot>(Snapshot{KernelIndex::scan(o.archive), PackSet::open(o.packs), now_unix()});
    }

    std::shared_ptr<const Snapshot> snapshot() const {
        std::lock_guard<std::mutex> lock(mu_);
        return snapshot_;
    }

    // Re-scans the archive and re-opens the packs; on failure the old snapshot stays.
    void rescan() {
        metrics_.rescans++;
        try {
            auto s = std::make_shared<Snapshot>(
                Snapshot{KernelIndex::scan(options_.archive), PackSet::open(options_.packs), now_unix()});
            size_t n = s->kernels->size();
            {
                std::lock_guard<std::mutex> lock(mu_);
                snapshot_ = std::move(s);
            }
            if (!options_.quiet) std::fprintf(stderr, "btfpack serve: re-scanned the archive: %zu kernels\n", n);
        } catch (const std::exception& e) {
            metrics_.rescan_errors++;
            std::fprintf(stderr, "btfpack serve: re-scan failed, still serving the previous index: %s\n", e.what());
        }
    }

    Customizer& customizer() { return customizer_; }
    Metrics& metrics() { return metrics_; }

    void install(httplib::Server& svr) {
        svr.Get("/api/v1/list", [this](const Request& req, Response& res) {
            answer("list", req, res, [&] { res.set_content(snapshot()->kernels->list_json(), "application/json"); });
        });
        svr.Get("/api/v1/download", [this](const Request& req, Response& res) {
            answer("download", req, res, [&] { download(req, res); });
        });
        svr.Post("/api/v1/customize", [this](const Request& req, Response& res, const httplib::ContentReader& reader) {
            answer("customize", req, res, [&] { customize(req, res, reader); });
        });
        svr.Get("/api/v1/packs", [this](const Request& req, Response& res) {
            answer("packs", req, res, [&] { res.set_content(snapshot()->packs->list_json(), "application/json"); });
        });
        svr.Get("/api/v1/pack", [this](const Request& req, Response& res) {
            answer("pack", req, res, [&] { from_pack(req, res); });
        });
        svr.Get("/monitoring/health", [this](const Request& req, Response& res) {
            answer("health", req, res, [&] {
                auto s = snapshot();
                res.set_content("{\"status\":\"ok\",\"kernels\":" + std::to_string(s->kernels->size()) +
                                    ",\"packs\":" + std::to_string(s->packs->size()) +
                                    ",\"scanned_unix\":" + std::to_string(s->scanned_unix) + "}\n",
                                "application/json");
            });
        });
        svr.Get("/monitoring/metrics", [this](const Request& req, Response& res) {
            answer("metrics", req, res, [&] {
                auto s = snapshot();
                std::string extra = customizer_.cache_metrics() +
                                    "# HELP btfpack_archive_kernels Kernels in the archive index.\n"
                                    "# TYPE btfpack_archive_kernels gauge\nbtfpack_archive_kernels " +
                                    std::to_string(s->kernels->size()) + "\n";
                res.set_content(metrics_.render(extra), "text/plain; version=0.0.4");
            });
        });
        // httplib's own answers (no route, body over the limit, malformed request): JSON too
        svr.set_error_handler(httplib::Server::HandlerWithResponse([this](const Request& req, Response& res) {
            if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;  // ours, already JSON
            std::string what = res.status == 404   ? "no such endpoint: " + req.method + " " + req.path
                               : res.status == 413 ? "request body over the limit of " +
                                                         std::to_string(options_.max_body_bytes) + " bytes"
                               : res.status == 405 ? "method not allowed"
                                                   : "bad request";
            json_error(res, res.status, what);
            metrics_.record("other", res.status, 0);
            return httplib::Server::HandlerResponse::Handled;
        }));
        svr.set_exception_handler([](const Request&, Response& res, std::exception_ptr ep) {
            std::string what = "internal error";
            try {
                std::rethrow_exception(ep);
            } catch (const std::exception& e) {
                what += std::string(": ") + e.what();
            } catch (...) {
            }
            json_error(res, 500, what);
        });
        if (!options_.quiet)
            svr.set_logger([](const Request& req, const Response& res) {
                std::fprintf(stderr, "%s %s %s %d %zu\n", req.remote_addr.c_str(), req.method.c_str(), req.path.c_str(),
                             res.status, res.body.size());
            });
    }

private:
    static long long now_unix() {
        return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    }

    // Runs body, answering any error as JSON, and records the request in the metrics.
    template <class Body>
    void answer(const char* endpoint, const Request&, Response& res, Body&& body) {
        auto t0 = std::chrono::steady_clock::now();
        metrics_.requests_in_flight++;
        try {
            body();
            if (res.status < 0) res.status = 200;
        } catch (const ServiceError& e) {
            json_error(res, e.status(), e.what());
        } catch (const std::bad_alloc&) {
            json_error(res, 503, "out of memory while answering; retry later");
        } catch (const std::exception& e) {
            json_error(res, 500, std::string("internal error: ") + e.what());
        }
        metrics_.requests_in_flight--;
        metrics_.record(endpoint, res.status,
                        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }

    const ArchiveKernel& find_kernel(const Snapshot& s, const KernelKey& key) {
        const ArchiveKernel* k = s.kernels->find(key);
        if (!k) {
            std::string near = s.kernels->nearest(key);
            throw ServiceError(404, "no kernel " + key.str() + " in the archive" +
                                        (near.empty() ? "" : " (it has for " + key.distro + "/" + key.version + "/" +
                                                                 key.arch + ": " + near + ")"));
        }
        return *k;
    }

    void download(const Request& req, Response& res) {
        KernelKey key = kernel_from_query(req);
        auto s = snapshot();
        const ArchiveKernel& k = find_kernel(*s, key);
        const std::string& p = k.path;
        if (p.size() < 7 || p.compare(p.size() - 7, 7, ".tar.xz") != 0) {
            // a raw .btf or vmlinux entry: BTFHub's clients get a .tar.xz all the same
            auto b = customizer_.kernel_btf(k);
            uint32_t size = 0;
            const void* raw = btf__raw_data(b.get(), &size);
            const uint8_t* r = static_cast<const uint8_t*>(raw);
            send_btf(res, key, Format::TarXz, std::vector<uint8_t>(r, r + size), nullptr);
            return;
        }
        int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            std::fprintf(stderr, "btfpack serve: %s: %s\n", p.c_str(), std::strerror(errno));
            throw ServiceError(500, "the archive's file for " + key.str() + " cannot be opened");
        }
        res.set_header("Content-Description", "File Transfer");
        res.set_header("Content-Transfer-Encoding", "binary");
        res.set_header("Content-Disposition", "attachment; filename=\"" + key.kernel + ".btf.tar.xz\"");
        // streamed in 64 KiB pieces: a download holds no more than that, however slow the client
        res.set_content_provider(
            size_t(k.size), "application/octet-stream",
            [fd](size_t off, size_t len, httplib::DataSink& sink) {
                char buf[65536];
                ssize_t n = pread(fd, buf, std::min(len, sizeof(buf)), off_t(off));
                if (n <= 0) return false;  // the file shrank under us: the connection is dropped
                return sink.write(buf, size_t(n));
            },
            [fd](bool) { ::close(fd); });
    }

    void customize(const Request& req, Response& res, const httplib::ContentReader& reader) {
        // the body is read first, whatever the parameters: on a keep-alive connection unread
        // body bytes would be taken for the next request
        std::vector<Upload> uploads;
        bool ok;
        bool in_bpf = false, too_many = false;
        if (req.is_multipart_form_data()) {
            ok = reader(
                [&](const httplib::MultipartFormData& part) {
                    in_bpf = part.name == "bpf";
                    if (!in_bpf) return true;  // other fields are read and dropped
                    if (uploads.size() == options_.max_objects) {  // read on (and drop): the connection stays usable
                        too_many = true;
                        in_bpf = false;
                        return true;
                    }
                    uploads.push_back(Upload{part.filename.empty() ? "bpf" : part.filename, {}});
                    return true;
                },
                [&](const char* data, size_t len) {
                    if (in_bpf) uploads.back().bytes.append(data, len);
                    return true;
                });
        } else {
            // extension: the object as the whole body (application/octet-stream)
            uploads.push_back(Upload{"body", {}});
            ok = reader([&](const char* data, size_t len) {
                uploads.back().bytes.append(data, len);
                return true;
            });
        }
        if (too_many)
            throw ServiceError(413, "more than " + std::to_string(options_.max_objects) + " 'bpf' parts in one request");
        if (!ok && res.status == 413)
            throw ServiceError(413, "request body over the limit of " + std::to_string(options_.max_body_bytes) + " bytes");
        if (!ok) throw ServiceError(400, "malformed request body (multipart/form-data with a 'bpf' file expected)");
        KernelKey key = kernel_from_query(req);
        Format format = format_from_query(req);
        auto s = snapshot();
        const ArchiveKernel& k = find_kernel(*s, key);
        if (uploads.empty()) throw ServiceError(400, "missing multipart field 'bpf' (the BPF object)");
        for (const Upload& u : uploads)
            if (u.bytes.empty()) throw ServiceError(400, "'bpf' part '" + u.name + "' is empty");
        res.status = -1;
        bool cached = false;
        auto r = customizer_.customize(k, uploads, &cached);
        res.set_header("X-Btfpack-Cache", cached ? "hit" : "miss");
        res.set_header("X-Btfpack-Relocations", std::to_string(r->relocations));
        send_btf(res, key, format, r->btf, &r->tar_xz);
    }

    void from_pack(const Request& req, Response& res) {
        KernelKey key = kernel_from_query(req);
        Format format = format_from_query(req);
        std::string name = checked_name(req, "pack", false);
        auto s = snapshot();
        if (s->packs->size() == 0) throw ServiceError(404, "this server serves no pack (start it with --pack)");
        const PackSet::Pack* p = s->packs->find(name);
        if (!p)
            throw ServiceError(name.empty() ? 400 : 404, name.empty() ? "several packs: name one with the 'pack' parameter"
                                                                      : "no pack named '" + name + "'");
        size_t i = 0;
        if (btfpack_find(p->pack, key.distro.c_str(), key.version.c_str(), key.arch.c_str(), key.kernel.c_str(), &i) != 0)
            throw ServiceError(404, "pack '" + p->name + "' has no kernel " + key.str());
        void* data = nullptr;
        size_t size = 0;
        char err[256];
        if (btfpack_get_btf(p->pack, i, &data, &size, err, sizeof(err)) != 0)
            throw ServiceError(500, "pack '" + p->name + "': " + err);
        std::vector<uint8_t> raw(static_cast<uint8_t*>(data), static_cast<uint8_t*>(data) + size);
        std::free(data);
        send_btf(res, key, format, raw, nullptr);
    }

    const ServeOptions options_;
    Metrics metrics_;
    Customizer customizer_;
    mutable std::mutex mu_;
    std::shared_ptr<const Snapshot> snapshot_;
};

}  // namespace

int run_server(const ServeOptions& o) {
    // signals go to one thread that waits for them (blocked here, before any thread starts)
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGHUP);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, &sigs, nullptr);
    signal(SIGPIPE, SIG_IGN);

    // few malloc arenas: with one per worker thread, memory freed by one request stays
    // resident in its thread's arena (kernel decompression frees ~20 MB at a time)
    mallopt(M_ARENA_MAX, 2);
    Service service(o);
    httplib::Server svr;
    unsigned threads = o.threads ? o.threads : 1;
    svr.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
    svr.set_payload_max_length(o.max_body_bytes);
    auto us = [](double s) { return std::chrono::microseconds(static_cast<long long>(s * 1e6)); };
    svr.set_read_timeout(us(o.read_timeout_seconds));
    svr.set_write_timeout(us(o.write_timeout_seconds));
    svr.set_keep_alive_timeout(time_t(o.keep_alive_seconds < 1 ? 1 : o.keep_alive_seconds));
    svr.set_keep_alive_max_count(100);
    // SO_REUSEADDR but not httplib's default SO_REUSEPORT, with which a second server would
    // share a port already in use instead of failing; TCP_NODELAY on accepted sockets too
    svr.set_socket_options([](int sock) {
        int yes = 1;
        setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
        setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes));  // small answers go out at once
    });
    service.install(svr);
    int port = o.port;
    if (port == 0) port = svr.bind_to_any_port(o.host);
    else if (!svr.bind_to_port(o.host, port)) port = -1;
    if (port < 0) throw Error("cannot listen on " + o.host + ":" + std::to_string(o.port) + ": " + std::strerror(errno));
    std::printf("listening on http://%s:%d (%zu kernels, %zu packs)\n", o.host.c_str(), port,
                service.snapshot()->kernels->size(), service.snapshot()->packs->size());
    std::fflush(stdout);

    std::atomic<bool> stopping{false};
    std::thread signals([&] {
        auto last_scan = std::chrono::steady_clock::now();
        while (!stopping) {
            timespec tick{0, 200 * 1000 * 1000};
            int sig = sigtimedwait(&sigs, nullptr, &tick);
            if (sig == SIGTERM || sig == SIGINT) {
                stopping = true;
                svr.stop();
                break;
            }
            bool due = o.rescan_seconds > 0 &&
                       std::chrono::steady_clock::now() - last_scan > std::chrono::duration<double>(o.rescan_seconds);
            if (sig == SIGHUP || due) {
                service.rescan();
                last_scan = std::chrono::steady_clock::now();
            }
        }
    });
    // prewarm: the archive's kernels into the kernel store, one at a time, until it is full
    std::thread prewarm;
    if (o.prewarm && o.kernel_store_bytes)
        prewarm = std::thread([&] {
            for (const ArchiveKernel* k : service.snapshot()->kernels->all()) {
                if (stopping || !service.customizer().store_kernel(*k)) break;
                service.metrics().prewarmed++;
            }
        });
    bool ok = svr.listen_after_bind();
    stopping = true;
    signals.join();
    if (prewarm.joinable()) prewarm.join();
    if (!ok) throw Error("the listening socket failed: " + std::string(std::strerror(errno)));
    if (!o.quiet) std::fprintf(stderr, "btfpack serve: stopped\n");
    return 0;
}

}  // namespace btfpack
