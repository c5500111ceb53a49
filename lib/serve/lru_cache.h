// SingleFlightLru: a cache bounded by the total cost of its values (bytes, or 1 per entry),
// least recently used out first, where concurrent requests for a missing key compute it once:
// the first caller computes, the others wait for its result (or its exception).
#pragma once
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace btfpack {

struct LruStats {
    size_t entries = 0, cost = 0;
    unsigned long long hits = 0, misses = 0, joined = 0, evictions = 0;
};

template <class V>
class SingleFlightLru {
public:
    using Stats = LruStats;
    using Cost = std::function<size_t(const V&)>;

    SingleFlightLru(size_t capacity, Cost cost) : capacity_(capacity), cost_(std::move(cost)) {}

    // The cached value of key, or compute()'s (cached if its cost fits in the capacity). *hit
    // tells whether it came from the cache (or another caller's computation) without computing.
    std::shared_ptr<const V> get(const std::string& key, const std::function<V()>& compute, bool* hit = nullptr) {
        std::unique_lock<std::mutex> lock(mu_);
        if (auto it = map_.find(key); it != map_.end()) {
            order_.splice(order_.begin(), order_, it->second.pos);
            stats_.hits++;
            if (hit) *hit = true;
            return it->second.value;
        }
        if (auto it = flights_.find(key); it != flights_.end()) {
            std::shared_ptr<Flight> f = it->second;
            stats_.joined++;
            f->done_cv.wait(lock, [&] { return f->done; });
            if (f->error) std::rethrow_exception(f->error);
            if (hit) *hit = true;
            return f->value;
        }
        stats_.misses++;
        if (hit) *hit = false;
        auto flight = std::make_shared<Flight>();
        flights_.emplace(key, flight);
        lock.unlock();
        std::shared_ptr<const V> value;
        std::exception_ptr error;
        try {
            value = std::make_shared<const V>(compute());
        } catch (...) {
            error = std::current_exception();
        }
        lock.lock();
        flights_.erase(key);
        flight->done = true;
        flight->value = value;
        flight->error = error;
        flight->done_cv.notify_all();
        if (error) std::rethrow_exception(error);
        insert(key, value);
        return value;
    }

    // Drops every entry (e.g. after a re-scan changed what keys mean).
    void clear() {
        std::lock_guard<std::mutex> lock(mu_);
        map_.clear();
        order_.clear();
        stats_.cost = 0;
    }

    Stats stats() const {
        std::lock_guard<std::mutex> lock(mu_);
        Stats s = stats_;
        s.entries = map_.size();
        return s;
    }

private:
    struct Entry {
        std::shared_ptr<const V> value;
        size_t cost;
        typename std::list<std::string>::iterator pos;
    };
    struct Flight {
        bool done = false;
        std::shared_ptr<const V> value;
        std::exception_ptr error;
        std::condition_variable done_cv;
    };

    void insert(const std::string& key, const std::shared_ptr<const V>& value) {  // mu_ held
        size_t cost = cost_(*value);
        if (cost > capacity_ || map_.count(key)) return;
        while (stats_.cost + cost > capacity_ && !order_.empty()) {
            auto it = map_.find(order_.back());
            stats_.cost -= it->second.cost;
            map_.erase(it);
            order_.pop_back();
            stats_.evictions++;
        }
        order_.push_front(key);
        map_.emplace(key, Entry{value, cost, order_.begin()});
        stats_.cost += cost;
    }

    const size_t capacity_;
    const Cost cost_;
    mutable std::mutex mu_;
    std::list<std::string> order_;  // most recent first
    std::unordered_map<std::string, Entry> map_;
    std::unordered_map<std::string, std::shared_ptr<Flight>> flights_;
    Stats stats_;
};

}  // namespace btfpack
