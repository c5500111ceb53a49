// The report as one self-contained HTML page (see report_output.h). The data goes in as
// compact JSON: kernels point at distinct rows (kernels that relocate alike share one), a row
// is its verdict per program run-length coded, and only non-clean cells carry details, so a
// 4,000 x 1,000 report stays a few MB. The page draws only the visible cells on a canvas.
#include <map>
#include <sstream>

#include "commands.h"
#include "report_output.h"

namespace btfpack::cli {
namespace {

// Per column: 'c' clean, 'p' poisoned, 'f' fails, '-' not built for the kernel's arch.
std::string row_codes(const KernelReport& k, size_t columns) {
    std::string s(columns, '-');
    for (const ProgramResult& p : k.programs) s[p.column] = "cpf"[int(p.verdict())];
    return s;
}

std::string run_length(const std::string& s) {  // "c12p1f3": code then count
    std::string out;
    for (size_t i = 0; i < s.size();) {
        size_t j = i;
        while (j < s.size() && s[j] == s[i]) j++;
        out += s[i];
        out += std::to_string(j - i);
        i = j;
    }
    return out;
}

const char* kPage = R"HTML(<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>btfpack compatibility report</title>
<style>
body{font:13px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1d2327;background:#fff}
header{padding:10px 16px;border-bottom:1px solid #ddd}
h1{font-size:17px;margin:0 0 4px}
.muted{color:#666}
.bar{display:flex;gap:14px;align-items:center;flex-wrap:wrap;padding:8px 16px;border-bottom:1px solid #eee;background:#fafafa}
.bar label{display:flex;gap:4px;align-items:center}
.legend span{display:inline-block;width:11px;height:11px;margin:0 3px 0 10px;vertical-align:-1px;border-radius:2px}
#main{display:flex;height:calc(100vh - 140px);min-height:300px}
#scroll{flex:1;overflow:auto;position:relative}
#sizer{position:absolute;top:0;left:0}
#heat{position:sticky;top:0;left:0;display:block}
#side{width:380px;overflow:auto;border-left:1px solid #ddd;padding:8px 12px}
#side h2{font-size:14px;margin:6px 0}
table{border-collapse:collapse;font-size:12px}
td,th{padding:2px 6px;text-align:right;border-bottom:1px solid #eee}
td:first-child,th:first-child{text-align:left}
#detail ul{padding-left:18px;margin:4px 0}
#detail li{margin:2px 0;word-break:break-word}
code{font-size:12px}
</style></head><body>
<header><h1>btfpack compatibility report</h1>
<div class="muted" id="source"></div>
<div id="summary"></div></header>
<div class="bar">
<label>distro <select id="f-distro"><option value="">all</option></select></label>
<label>arch <select id="f-arch"><option value="">all</option></select></label>
<label>verdict <select id="f-verdict"><option value="">all</option><option value="clean">clean</option>
<option value="poisoned">poisoned</option><option value="fails">fails</option></select></label>
<label>program <input id="f-program" size="18" placeholder="name contains"></label>
<span class="legend"><span style="background:#2e9d57"></span>clean<span style="background:#e7b416"></span>poisoned
<span style="background:#cc3232"></span>fails<span style="background:#d7dade"></span>no object for the arch</span>
<span class="muted"><span id="shown-kernels">0</span> kernels x <span id="shown-programs">0</span> programs shown;
drawn in <span id="render-ms">?</span> ms</span>
</div>
<div id="main"><div id="scroll"><div id="sizer"></div><canvas id="heat"></canvas></div>
<div id="side"><h2>Groups</h2><table id="groups"><thead><tr><th>distro/version/arch</th><th>kernels</th>
<th>clean</th><th>poisoned</th><th>fails</th></tr></thead><tbody></tbody></table>
<h2>Details</h2><div id="detail" class="muted">Click a cell: what is missing for that program on that kernel.</div></div></div>
<script type="application/json" id="data">@DATA@</script>
<script>
"use strict";
const D = JSON.parse(document.getElementById("data").textContent);
const COLORS = ["#2e9d57", "#e7b416", "#cc3232", "#d7dade"], NAMES = ["clean", "poisoned", "fails"];
const CODE = {c: 0, p: 1, f: 2, "-": 3};
const nCols = D.programs.length;
const rows = D.rows.map(rle => {  // run-length codes -> one byte per column
  const a = new Uint8Array(nCols); let i = 0;
  for (const m of rle.matchAll(/([cpf-])(\d+)/g)) { a.fill(CODE[m[1]], i, i + (+m[2])); i += +m[2]; }
  return a;
});
const rowVerdict = rows.map(a => { let v = 0; for (const x of a) if (x < 3 && x > v) v = x; return v; });
const kernels = D.kernels.map(([distro, version, arch, kernel, row]) =>
  ({distro, version, arch, kernel, row, group: distro + "/" + version + "/" + arch,
    key: distro + "/" + version + "/" + arch + "/" + kernel}));
const $ = id => document.getElementById(id);
$("source").textContent = D.source;
const tot = [0, 0, 0]; for (const k of kernels) tot[rowVerdict[k.row]]++;
$("summary").textContent = kernels.length + " kernels x " + nCols + " programs: " + tot[0] + " clean, " +
  tot[1] + " poisoned (some instructions poisoned: rejected if reached), " + tot[2] + " fail (some programs fail to relocate)";
for (const [id, field] of [["f-distro", "distro"], ["f-arch", "arch"]])
  for (const v of [...new Set(kernels.map(k => k[field]))].sort()) $(id).add(new Option(v, v));
const hash = new URLSearchParams(location.hash.slice(1));  // #distro=debian&arch=s390x&verdict=fails&program=x
for (const f of ["distro", "arch", "verdict", "program"]) if (hash.has(f)) $("f-" + f).value = hash.get(f);

const cw = nCols <= 60 ? 14 : nCols <= 300 ? 7 : 4;
let ch, items = [], cols = [], tops = [], total = 0;
const GROUP_H = 18, LABEL_W = 230, HEAD_H = 6;
function filter() {
  const fd = $("f-distro").value, fa = $("f-arch").value, fv = $("f-verdict").value, fp = $("f-program").value.toLowerCase();
  const vi = NAMES.indexOf(fv);
  cols = []; for (let c = 0; c < nCols; c++) {
    const [o, name] = D.programs[c];
    if (!fp || name.toLowerCase().includes(fp) || D.objects[o].toLowerCase().includes(fp)) cols.push(c);
  }
  const shown = kernels.filter(k => (!fd || k.distro === fd) && (!fa || k.arch === fa) &&
    (vi < 0 || cols.reduce((v, c) => { const x = rows[k.row][c]; return x < 3 && x > v ? x : v; }, 0) === vi));
  ch = shown.length <= 400 ? 14 : shown.length <= 1500 ? 7 : 4;
  items = []; tops = []; total = HEAD_H; let g = null;
  const groups = new Map();
  for (const k of shown) {
    if (k.group !== g) { g = k.group; items.push({header: g}); tops.push(total); total += GROUP_H; }
    items.push(k); tops.push(total); total += ch;
    const v = cols.reduce((v, c) => { const x = rows[k.row][c]; return x < 3 && x > v ? x : v; }, 0);
    if (!groups.has(g)) groups.set(g, [0, 0, 0]); groups.get(g)[v]++;
  }
  $("shown-kernels").textContent = shown.length; $("shown-programs").textContent = cols.length;
  const tb = $("groups").tBodies[0]; tb.textContent = "";
  for (const [name, n] of groups) {
    const tr = tb.insertRow(); tr.dataset.group = name;
    for (const x of [name, n[0] + n[1] + n[2], n[0], n[1], n[2]]) tr.insertCell().textContent = x;
  }
  $("sizer").style.width = (LABEL_W + cols.length * cw + 20) + "px";
  $("sizer").style.height = (total + 20) + "px";
  draw();
}
const canvas = $("heat"), ctx = canvas.getContext("2d"), scroller = $("scroll");
function firstItem(y) { let lo = 0, hi = tops.length; while (lo < hi) { const m = (lo + hi) >> 1; if (tops[m] < y) lo = m + 1; else hi = m; } return Math.max(0, lo - 1); }
function draw() {
  const dpr = window.devicePixelRatio || 1, w = scroller.clientWidth, h = scroller.clientHeight;
  if (canvas.width !== w * dpr || canvas.height !== h * dpr) {
    canvas.width = w * dpr; canvas.height = h * dpr; canvas.style.width = w + "px"; canvas.style.height = h + "px";
  }
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0); ctx.clearRect(0, 0, w, h);
  const sx = scroller.scrollLeft, sy = scroller.scrollTop;
  const c0 = Math.max(0, Math.floor(sx / cw)), c1 = Math.min(cols.length, Math.ceil((sx + w - LABEL_W) / cw) + 1);
  ctx.font = "11px system-ui,sans-serif"; ctx.textBaseline = "middle";
  for (let i = firstItem(sy); i < items.length && tops[i] < sy + h; i++) {
    const it = items[i], y = tops[i] - sy;
    if (it.header) { ctx.fillStyle = "#f0f2f4"; ctx.fillRect(0, y, w, GROUP_H); ctx.fillStyle = "#333";
      ctx.fillText(it.header, 4, y + GROUP_H / 2); continue; }
    const r = rows[it.row];
    for (let c = c0; c < c1; c++) {
      ctx.fillStyle = COLORS[r[cols[c]]];
      ctx.fillRect(LABEL_W + c * cw - sx, y, Math.max(1, cw - (cw > 5 ? 1 : 0)), Math.max(1, ch - (ch > 5 ? 1 : 0)));
    }
    ctx.fillStyle = "#fff"; ctx.fillRect(0, y, LABEL_W, ch);
    if (ch >= 10) { ctx.fillStyle = "#333"; ctx.fillText(it.kernel, 14, y + ch / 2); }
    else { ctx.fillStyle = COLORS[rows[it.row].reduce((v, x) => x < 3 && x > v ? x : v, 0)]; ctx.fillRect(4, y, 6, ch); }
  }
}
function cellAt(ev) {
  const b = canvas.getBoundingClientRect(), x = ev.clientX - b.left, y = ev.clientY - b.top + scroller.scrollTop;
  const i = firstItem(y + 0.5), it = items[i];
  if (!it || it.header || y >= tops[i] + ch) return null;
  const c = Math.floor((x + scroller.scrollLeft - LABEL_W) / cw);
  return {k: it, c: x < LABEL_W ? -1 : cols[c]};
}
function esc(s) { return s.replace(/[&<>"]/g, ch => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})[ch]); }
function cellHtml(k, c) {
  const [o, name] = D.programs[c], code = rows[k.row][c];
  let h = "<b>" + esc(D.objects[o]) + " " + esc(name) + "</b>: ";
  if (code === 3) return h + "no object for " + esc(k.arch);
  if (code === 0) return h + "clean: every CO-RE relocation patched";
  let n = 0; for (let i = 0; i < c; i++) if (rows[k.row][i] === 1 || rows[k.row][i] === 2) n++;
  const d = D.cells[D.details[k.row][n]];
  h += NAMES[code] + " (" + d[0] + " patched, " + d[1] + " poisoned, " + d[2] + " failed" + (d[3] ? ", load aborted" : "") + ")<ul>";
  for (const p of d[4]) h += "<li>" + esc(D.problems[p].replace("{K}", k.key)) + "</li>";
  return h + "</ul>";
}
function showDetail(hit) {
  let h = "<div><code>" + esc(hit.k.key) + "</code></div>";
  if (hit.c >= 0) h += cellHtml(hit.k, hit.c);
  else { const bad = cols.filter(c => rows[hit.k.row][c] === 1 || rows[hit.k.row][c] === 2);
    h += bad.length ? bad.map(c => "<div>" + cellHtml(hit.k, c) + "</div>").join("") : "every program relocates cleanly"; }
  $("detail").className = ""; $("detail").innerHTML = h;
}
canvas.addEventListener("click", ev => { const hit = cellAt(ev); if (hit) showDetail(hit); });
canvas.addEventListener("mousemove", ev => { const hit = cellAt(ev);
  canvas.title = hit ? hit.k.key + (hit.c >= 0 ? "\n" + D.objects[D.programs[hit.c][0]] + " " + D.programs[hit.c][1] : "") : ""; });
scroller.addEventListener("scroll", () => requestAnimationFrame(draw));
window.addEventListener("resize", draw);
for (const f of ["distro", "arch", "verdict"]) $("f-" + f).addEventListener("change", filter);
$("f-program").addEventListener("input", filter);
filter();
if (hash.has("kernel")) {  // #kernel=<key>[&column=<n>]: open that detail (links, tests)
  const k = kernels.find(k => k.key === hash.get("kernel"));
  if (k) showDetail({k, c: hash.has("column") ? +hash.get("column") : -1});
}
$("render-ms").textContent = Math.round(performance.now());
document.body.dataset.ready = "1";
</script></body></html>
)HTML";

}  // namespace

std::string report_html(const CompatReport& r, const ReportSource& src) {
    const ReportColumns& c = r.columns;
    std::ostringstream d;
    d << "{\"source\": " << json_str("from " + src.kind + " " + src.path) << ", \"objects\": [";
    for (size_t i = 0; i < c.objects.size(); i++) {
        const std::string& p = c.objects[i].path;
        d << (i ? "," : "") << json_str(p.substr(p.find_last_of('/') + 1) + (c.objects[i].arch == "*" ? "" : " (" + c.objects[i].arch + ")"));
    }
    d << "], \"programs\": [";
    for (size_t i = 0; i < c.programs.size(); i++) d << (i ? "," : "") << "[" << c.programs[i].object << "," << json_str(c.programs[i].name) << "]";
    // distinct rows: kernels with the same results (codes and details) share one
    std::map<std::string, size_t> row_of, problem_of;
    std::vector<const KernelReport*> row_first;
    std::vector<std::string> problems;
    d << "], \"kernels\": [";
    for (size_t ki = 0; ki < r.kernels.size(); ki++) {
        const KernelReport& k = r.kernels[ki];
        std::ostringstream sig;
        sig << row_codes(k, c.programs.size());
        for (const ProgramResult& p : k.programs) {
            if (p.verdict() == Verdict::Clean) continue;
            sig << '|' << p.column << ',' << p.patched << ',' << p.poisoned << ',' << p.failed << ',' << p.aborted;
            for (const RelocProblem& pr : p.problems) sig << ';' << problem_text(c, pr, std::string("{K}"));
        }
        auto [it, fresh] = row_of.emplace(sig.str(), row_first.size());
        if (fresh) row_first.push_back(&k);
        d << (ki ? "," : "") << "[" << json_str(k.key.distro) << "," << json_str(k.key.version) << "," << json_str(k.key.arch)
          << "," << json_str(k.key.kernel) << "," << it->second << "]";
    }
    d << "], \"rows\": [";
    for (size_t i = 0; i < row_first.size(); i++) d << (i ? "," : "") << "\"" << run_length(row_codes(*row_first[i], c.programs.size())) << "\"";
    // cells: distinct results of one program on one kernel, by id; a row's details are the
    // cell ids of its non-clean columns, in column order
    std::map<std::string, size_t> cell_of;
    std::vector<std::string> cells;
    d << "], \"details\": [";
    for (size_t i = 0; i < row_first.size(); i++) {
        d << (i ? "," : "") << "[";
        bool first = true;
        for (const ProgramResult& p : row_first[i]->programs) {
            if (p.verdict() == Verdict::Clean) continue;
            std::ostringstream cell;
            cell << "[" << p.patched << "," << p.poisoned << "," << p.failed << "," << (p.aborted ? 1 : 0) << ",[";
            for (size_t j = 0; j < p.problems.size(); j++) {
                std::string t = problem_text(c, p.problems[j], std::string("{K}"));
                auto [pit, pfresh] = problem_of.emplace(t, problems.size());
                if (pfresh) problems.push_back(t);
                cell << (j ? "," : "") << pit->second;
            }
            cell << "]]";
            auto [cit, cfresh] = cell_of.emplace(cell.str(), cells.size());
            if (cfresh) cells.push_back(cell.str());
            d << (first ? "" : ",") << cit->second;
            first = false;
        }
        d << "]";
    }
    d << "], \"cells\": [";
    for (size_t i = 0; i < cells.size(); i++) d << (i ? "," : "") << cells[i];
    d << "], \"problems\": [";
    for (size_t i = 0; i < problems.size(); i++) d << (i ? "," : "") << json_str(problems[i]);
    d << "]}";
    std::string data = d.str();
    // '<' only occurs inside JSON strings: as \u003c it can never end the script element
    for (size_t p = 0; (p = data.find('<', p)) != std::string::npos;) data.replace(p, 1, "\\u003c");
    std::string page = kPage;
    page.replace(page.find("@DATA@"), 6, data);
    return page;
}

}  // namespace btfpack::cli
