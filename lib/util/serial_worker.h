// SerialWorker: one thread that runs the tasks posted to it, in the order posted, while the
// poster goes on. wait() returns once every posted task has run and rethrows the first
// exception one threw (the tasks after it are skipped). Tasks not run when it is destroyed
// are dropped.
#pragma once
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>

namespace btfpack {

class SerialWorker {
public:
    SerialWorker() : thread_([this] { loop(); }) {}
    ~SerialWorker() {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            stop_ = true;
        }
        wake_.notify_all();
        thread_.join();
    }
    SerialWorker(const SerialWorker&) = delete;
    SerialWorker& operator=(const SerialWorker&) = delete;

    void post(std::function<void()> task) {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            tasks_.push_back(std::move(task));
        }
        wake_.notify_all();
    }
    void wait() {
        std::unique_lock<std::mutex> lock(mutex_);
        idle_.wait(lock, [this] { return tasks_.empty() && !busy_; });
        if (error_) std::rethrow_exception(error_);
    }

private:
    void loop() {
        std::unique_lock<std::mutex> lock(mutex_);
        for (;;) {
            wake_.wait(lock, [this] { return stop_ || !tasks_.empty(); });
            if (stop_) return;
            std::function<void()> task = std::move(tasks_.front());
            tasks_.pop_front();
            busy_ = true;
            lock.unlock();
            if (!error_) try {
                    task();
                } catch (...) {
                    error_ = std::current_exception();
                }
            lock.lock();
            busy_ = false;
            if (tasks_.empty()) idle_.notify_all();
        }
    }

    std::mutex mutex_;
    std::condition_variable wake_, idle_;
    std::deque<std::function<void()>> tasks_;
    bool busy_ = false, stop_ = false;
    std::exception_ptr error_;  // written by the worker only while busy_
    std::thread thread_;        // last: started once the members above exist
};

}  // namespace btfpack
