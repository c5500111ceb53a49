// The report as one self-contained HTML page (see report_output.h). The data goes in as
// compact JSON: each program's few distinct results are listed once (its palette), a kernel's
// row is one palette index per program, run-length coded, and kernels with equal rows share
// one, so a 4,000 x 1,000 report stays a few MB. The page draws only the visible cells on a canvas.
#include <map>

#include "btfpack/error.h"
#include <sstream>

#include "commands.h"
#include "report_output.h"

namespace btfpack::cli {
namespace {

// A palette index as `width` characters of kAlphabet (64 of them, none needing JSON escapes).
const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// Units of `width` characters; a run of 4 or more equal units is written "~N.unit".
std::string run_length(const std::string& s, size_t width) {
    std::string out;
    for (size_t i = 0; i < s.size();) {
        size_t j = i;
        while (j < s.size() && s.compare(j, width, s, i, width) == 0) j += width;
        size_t n = (j - i) / width;
        if (n >= 4) out += "~" + std::to_string(n) + "." + s.substr(i, width);
        else out += s.substr(i, j - i);
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
const ALPHA = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", W = D.width;
const VAL = {}; for (let i = 0; i < 64; i++) VAL[ALPHA[i]] = i;
const nCols = D.programs.length;
const rows = D.rows.map(coded => {  // "~N.u" runs expanded, then one palette index per column
  const s = coded.replace(/~(\d+)\.([A-Za-z0-9_-]+)/g, (m, n, u) => u.slice(0, W).repeat(+n) + u.slice(W));
  const code = new Uint8Array(nCols), cell = new Int32Array(nCols);
  for (let c = 0; c < nCols; c++) {
    const i = W === 1 ? VAL[s[c]] : VAL[s[2 * c]] * 64 + VAL[s[2 * c + 1]];
    [code[c], cell[c]] = D.palette[c][i];
  }
  return {code, cell};
});
const rowVerdict = rows.map(r => { let v = 0; for (const x of r.code) if (x < 3 && x > v) v = x; return v; });
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
const GROUP_H = 18, LABEL_W = 230, HEAD_H = cw >= 10 ? 140 : 6;  // wide cells: a header of program names
function filter() {
  const fd = $("f-distro").value, fa = $("f-arch").value, fv = $("f-verdict").value, fp = $("f-program").value.toLowerCase();
  const vi = NAMES.indexOf(fv);
  cols = []; for (let c = 0; c < nCols; c++) {
    const [o, name] = D.programs[c];
    if (!fp || name.toLowerCase().includes(fp) || D.objects[o].toLowerCase().includes(fp)) cols.push(c);
  }
  const shown = kernels.filter(k => (!fd || k.distro === fd) && (!fa || k.arch === fa) &&
    (vi < 0 || cols.reduce((v, c) => { const x = rows[k.row].code[c]; return x < 3 && x > v ? x : v; }, 0) === vi));
  ch = shown.length <= 400 ? 14 : shown.length <= 1500 ? 7 : 4;
  items = []; tops = []; total = HEAD_H; let g = null;
  const groups = new Map();
  for (const k of shown) {
    if (k.group !== g) { g = k.group; items.push({header: g}); tops.push(total); total += GROUP_H; }
    items.push(k); tops.push(total); total += ch;
    const v = cols.reduce((v, c) => { const x = rows[k.row].code[c]; return x < 3 && x > v ? x : v; }, 0);
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
    const r = rows[it.row].code;
    for (let c = c0; c < c1; c++) {
      ctx.fillStyle = COLORS[r[cols[c]]];
      ctx.fillRect(LABEL_W + c * cw - sx, y, Math.max(1, cw - (cw > 5 ? 1 : 0)), Math.max(1, ch - (ch > 5 ? 1 : 0)));
    }
    ctx.fillStyle = "#fff"; ctx.fillRect(0, y, LABEL_W, ch);
    if (ch >= 10) { ctx.fillStyle = "#333"; ctx.fillText(it.kernel, 14, y + ch / 2); }
    else { ctx.fillStyle = COLORS[rowVerdict[it.row]]; ctx.fillRect(4, y, 6, ch); }
  }
  if (HEAD_H > 6) {  // the header stays on top while rows scroll under it
    ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, w, HEAD_H); ctx.fillStyle = "#333";
    for (let c = c0; c < c1; c++) {
      const [o, name] = D.programs[cols[c]];
      let label = D.objects[o].replace(/\.o( .*)?$/, "") + " " + name;
      if (label.length > 22) label = label.slice(0, 21) + "\u2026";
      ctx.save(); ctx.translate(LABEL_W + c * cw - sx + cw / 2 + 3, HEAD_H - 4); ctx.rotate(-Math.PI / 2);
      ctx.fillText(label, 0, 0); ctx.restore();
    }
    ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, LABEL_W, HEAD_H);
  }
}
function cellAt(ev) {
  const b = canvas.getBoundingClientRect(), x = ev.clientX - b.left, y = ev.clientY - b.top + scroller.scrollTop;
  if (ev.clientY - b.top < HEAD_H) return null;
  const i = firstItem(y + 0.5), it = items[i];
  if (!it || it.header || y >= tops[i] + ch) return null;
  const c = Math.floor((x + scroller.scrollLeft - LABEL_W) / cw);
  return {k: it, c: x < LABEL_W ? -1 : cols[c]};
}
function esc(s) { return s.replace(/[&<>"]/g, ch => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})[ch]); }
function cellHtml(k, c) {
  const [o, name] = D.programs[c], code = rows[k.row].code[c];
  let h = "<b>" + esc(D.objects[o]) + " " + esc(name) + "</b>: ";
  if (code === 3) return h + "no object for " + esc(k.arch);
  if (code === 0) return h + "clean: every CO-RE relocation patched";
  const d = D.cells[rows[k.row].cell[c]];
  h += NAMES[code] + " (" + d[0] + " patched, " + d[1] + " poisoned, " + d[2] + " failed" + (d[3] ? ", load aborted" : "") + ")<ul>";
  for (const p of d[4]) h += "<li>" + esc(D.problems[p].replace("{K}", k.key)) + "</li>";
  return h + "</ul>";
}
function showDetail(hit) {
  let h = "<div><code>" + esc(hit.k.key) + "</code></div>";
  if (hit.c >= 0) h += cellHtml(hit.k, hit.c);
  else { const bad = cols.filter(c => rows[hit.k.row].code[c] === 1 || rows[hit.k.row].code[c] === 2);
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
        d << (i ? "," : "") << json_str(object_name(c, uint32_t(i)) + (c.objects[i].arch == "*" ? "" : " (" + c.objects[i].arch + ")"));
    }
    d << "], \"programs\": [";
    for (size_t i = 0; i < c.programs.size(); i++) d << (i ? "," : "") << "[" << c.programs[i].object << "," << json_str(c.programs[i].name) << "]";
    // Each cell (one program on one kernel) is one of its column's few distinct results: the
    // column's palette lists them as [verdict 0 clean, 1 poisoned, 2 fails, 3 no object for
    // the arch; cell id or -1], cells holding the details of non-clean ones once. A row is one
    // palette index per column (kAlphabet, one or two characters each), run-length coded, and
    // kernels with equal rows share one.
    const size_t ncols = c.programs.size();
    std::map<std::string, size_t> problem_of, cell_of;
    std::vector<std::string> problems, cells;
    std::vector<std::map<std::pair<int, int>, uint32_t>> pal_of(ncols);
    std::vector<std::vector<std::pair<int, int>>> pal(ncols);
    std::vector<std::vector<uint32_t>> index(r.kernels.size(), std::vector<uint32_t>(ncols));
    for (size_t ki = 0; ki < r.kernels.size(); ki++) {
        std::vector<std::pair<int, int>> entry(ncols, {3, -1});
        for (const ProgramResult& p : r.kernels[ki].programs) {
            int code = int(p.verdict()), cell = -1;
            if (code) {
                std::ostringstream cs;
                cs << "[" << p.patched << "," << p.poisoned << "," << p.failed << "," << (p.aborted ? 1 : 0) << ",[";
                for (size_t j = 0; j < p.problems.size(); j++) {
                    std::string t = problem_text(c, p.problems[j], std::string("{K}"));
                    auto [pit, pfresh] = problem_of.emplace(t, problems.size());
                    if (pfresh) problems.push_back(t);
                    cs << (j ? "," : "") << pit->second;
                }
                cs << "]]";
                auto [cit, cfresh] = cell_of.emplace(cs.str(), cells.size());
                if (cfresh) cells.push_back(cs.str());
                cell = int(cit->second);
            }
            entry[p.column] = {code, cell};
        }
        for (size_t col = 0; col < ncols; col++) {
            auto [it, fresh] = pal_of[col].emplace(entry[col], uint32_t(pal[col].size()));
            if (fresh) pal[col].push_back(entry[col]);
            index[ki][col] = it->second;
        }
    }
    size_t width = 1;
    for (const auto& p : pal)
        if (p.size() > 64) width = 2;
    if (width == 2)
        for (const auto& p : pal)
            if (p.size() > 64 * 64) throw Error("report page: more than 4096 distinct results of one program");
    std::map<std::string, size_t> row_of;
    std::vector<std::string> rows;
    d << "], \"kernels\": [";
    for (size_t ki = 0; ki < r.kernels.size(); ki++) {
        const KernelReport& k = r.kernels[ki];
        std::string row;
        for (uint32_t x : index[ki]) {
            if (width == 2) row += kAlphabet[x / 64];
            row += kAlphabet[x % 64];
        }
        auto [it, fresh] = row_of.emplace(row, rows.size());
        if (fresh) rows.push_back(run_length(row, width));
        d << (ki ? "," : "") << "[" << json_str(k.key.distro) << "," << json_str(k.key.version) << "," << json_str(k.key.arch)
          << "," << json_str(k.key.kernel) << "," << it->second << "]";
    }
    d << "], \"width\": " << width << ", \"palette\": [";
    for (size_t col = 0; col < ncols; col++) {
        d << (col ? "," : "") << "[";
        for (size_t i = 0; i < pal[col].size(); i++) d << (i ? "," : "") << "[" << pal[col][i].first << "," << pal[col][i].second << "]";
        d << "]";
    }
    d << "], \"rows\": [";
    for (size_t i = 0; i < rows.size(); i++) d << (i ? "," : "") << "\"" << rows[i] << "\"";
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
