// Thread CPU-time budgets for the engine's loops (btfpack/cpu_budget.h).
#include "btfpack/cpu_budget.h"

#include <ctime>
#include <string>

namespace btfpack {

namespace detail {
thread_local int64_t cpu_deadline_ns = 0;
thread_local uint32_t cpu_budget_ticks = 0;
thread_local double cpu_budget_seconds = 0;

namespace {
int64_t thread_cpu_ns() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}
}  // namespace

void cpu_budget_check_clock() {
    if (cpu_deadline_ns != 0 && thread_cpu_ns() >= cpu_deadline_ns) throw CpuBudgetExceeded(cpu_budget_seconds);
}
}  // namespace detail

CpuBudgetExceeded::CpuBudgetExceeded(double seconds)
    : Error("CPU time limit of " + std::to_string(seconds) + " s exceeded"), seconds_(seconds) {}

ScopedCpuBudget::ScopedCpuBudget(double seconds)
    : saved_deadline_ns_(detail::cpu_deadline_ns), saved_seconds_(detail::cpu_budget_seconds) {
    if (seconds <= 0) return;
    int64_t deadline = detail::thread_cpu_ns() + int64_t(seconds * 1e9);
    if (deadline <= 0) deadline = 1;
    if (detail::cpu_deadline_ns == 0 || deadline < detail::cpu_deadline_ns) {
        detail::cpu_deadline_ns = deadline;
        detail::cpu_budget_seconds = seconds;
    }
}

ScopedCpuBudget::~ScopedCpuBudget() {
    detail::cpu_deadline_ns = saved_deadline_ns_;
    detail::cpu_budget_seconds = saved_seconds_;
}

}  // namespace btfpack
