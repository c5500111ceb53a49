// Metrics: what /monitoring/metrics reports, in the Prometheus text format: requests by
// endpoint and status code, a latency histogram per endpoint, in-flight requests and
// minimizations, minimization outcomes; the caches' counters are added by the caller.
#pragma once
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace btfpack {

class Metrics {
public:
    Metrics();
    void record(const std::string& endpoint, int status, double seconds);
    std::atomic<long> requests_in_flight{0}, minimizations_in_flight{0};
    std::atomic<unsigned long long> minimizations{0}, minimization_errors{0}, cpu_limit_exceeded{0}, busy_rejections{0},
        rescans{0}, rescan_errors{0}, prewarmed{0};
    // The text body; extra: further complete lines (HELP/TYPE + samples) appended as given.
    std::string render(const std::string& extra) const;

private:
    struct Histogram {
        std::vector<unsigned long long> buckets;  // cumulative at render time, per bound here
        double sum = 0;
        unsigned long long count = 0;
    };
    mutable std::mutex mu_;
    std::vector<double> bounds_;
    std::map<std::pair<std::string, int>, unsigned long long> requests_;
    std::map<std::string, Histogram> latency_;
};

}  // namespace btfpack
