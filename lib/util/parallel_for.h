// Runs fn(i) for i in [0, n) on up to `jobs` threads (0: all cores); the first exception
// thrown by fn is rethrown after every thread stopped (the others finish their item).
#pragma once
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace btfpack {

template <class Fn>
void parallel_for(size_t n, unsigned jobs, Fn&& fn) {
    if (!jobs) jobs = std::max(1u, std::thread::hardware_concurrency());
    jobs = unsigned(std::min<size_t>(jobs, std::max<size_t>(n, 1)));
    std::atomic<size_t> next{0};
    std::exception_ptr error;
    std::mutex error_mutex;
    auto worker = [&] {
        for (size_t i; (i = next++) < n;) {
            try {
                fn(i);
            } catch (...) {
                std::lock_guard<std::mutex> lock(error_mutex);
                if (!error) error = std::current_exception();
                next = n;
            }
        }
    };
    std::vector<std::thread> threads;
    for (unsigned j = 1; j < jobs; j++) threads.emplace_back(worker);
    worker();
    for (auto& t : threads) t.join();
    if (error) std::rethrow_exception(error);
}

}  // namespace btfpack
