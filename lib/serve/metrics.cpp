// Prometheus text exposition of the service's counters (metrics.h).
#include "serve/metrics.h"

#include <cstdio>

namespace btfpack {

Metrics::Metrics() : bounds_{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10} {}

void Metrics::record(const std::string& endpoint, int status, double seconds) {
    std::lock_guard<std::mutex> lock(mu_);
    requests_[{endpoint, status}]++;
    Histogram& h = latency_[endpoint];
    if (h.buckets.empty()) h.buckets.assign(bounds_.size(), 0);
    for (size_t i = 0; i < bounds_.size(); i++)
        if (seconds <= bounds_[i]) {
            h.buckets[i]++;
            break;
        }
    h.sum += seconds;
    h.count++;
}

std::string Metrics::render(const std::string& extra) const {
    std::string o;
    char line[256];
    auto counter = [&](const char* name, const char* help, unsigned long long v) {
        std::snprintf(line, sizeof(line), "# HELP %s %s\n# TYPE %s counter\n%s %llu\n", name, help, name, name, v);
        o += line;
    };
    auto gauge = [&](const char* name, const char* help, long v) {
        std::snprintf(line, sizeof(line), "# HELP %s %s\n# TYPE %s gauge\n%s %ld\n", name, help, name, name, v);
        o += line;
    };
    std::lock_guard<std::mutex> lock(mu_);
    o += "# HELP btfpack_http_requests_total HTTP requests answered, by endpoint and status code.\n"
         "# TYPE btfpack_http_requests_total counter\n";
    for (const auto& [k, v] : requests_) {
        std::snprintf(line, sizeof(line), "btfpack_http_requests_total{endpoint=\"%s\",code=\"%d\"} %llu\n",
                      k.first.c_str(), k.second, v);
        o += line;
    }
    o += "# HELP btfpack_http_request_duration_seconds Time from request parsed to response ready, by endpoint.\n"
         "# TYPE btfpack_http_request_duration_seconds histogram\n";
    for (const auto& [ep, h] : latency_) {
        unsigned long long cum = 0;
        for (size_t i = 0; i < bounds_.size(); i++) {
            cum += h.buckets[i];
            std::snprintf(line, sizeof(line), "btfpack_http_request_duration_seconds_bucket{endpoint=\"%s\",le=\"%g\"} %llu\n",
                          ep.c_str(), bounds_[i], cum);
            o += line;
        }
        std::snprintf(line, sizeof(line),
                      "btfpack_http_request_duration_seconds_bucket{endpoint=\"%s\",le=\"+Inf\"} %llu\n"
                      "btfpack_http_request_duration_seconds_sum{endpoint=\"%s\"} %.6f\n"
                      "btfpack_http_request_duration_seconds_count{endpoint=\"%s\"} %llu\n",
                      ep.c_str(), h.count, ep.c_str(), h.sum, ep.c_str(), h.count);
        o += line;
    }
    gauge("btfpack_http_requests_in_flight", "HTTP requests being handled.", requests_in_flight.load());
    gauge("btfpack_minimizations_in_flight", "Minimizations being computed.", minimizations_in_flight.load());
    counter("btfpack_minimizations_total", "Minimizations computed (cache misses that ran).", minimizations.load());
    counter("btfpack_minimization_errors_total", "Minimizations that failed (bad object, internal error).",
            minimization_errors.load());
    counter("btfpack_minimization_cpu_limit_exceeded_total", "Minimizations stopped at the CPU time limit (503).",
            cpu_limit_exceeded.load());
    counter("btfpack_busy_rejections_total", "Requests refused because every minimization slot stayed taken (503).",
            busy_rejections.load());
    counter("btfpack_archive_rescans_total", "Archive re-scans (interval or SIGHUP).", rescans.load());
    counter("btfpack_archive_rescan_errors_total", "Archive re-scans that failed (the previous index stays).",
            rescan_errors.load());
    counter("btfpack_kernels_prewarmed_total", "Kernels decompressed into the kernel store by --prewarm.", prewarmed.load());
    return o + extra;
}

}  // namespace btfpack
