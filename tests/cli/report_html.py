#!/usr/bin/env python3
"""The report's HTML page in a real browser (Debian's chromium, headless).

usage: report_html.py BTFPACK KERNELS OBJECTS_DIR CHROMIUM OUT_DIR

Builds a pack of KERNELS for the objects, writes `btfpack report --html`, loads the page from
the file in headless chromium (no network: the page must need none) and checks the DOM after
its script ran: kernels and programs shown, the per-group table, and each filter (distro,
arch, verdict, program name; set through the URL fragment the page reads) against the
numbers of `btfpack report --json`. Keeps a screenshot, OUT_DIR/report.png, as an artifact.
"""
import html.parser
import json
import os
import subprocess
import sys
import tempfile
import urllib.parse

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-extensions", "--window-size=1400,900"]


class Dom(html.parser.HTMLParser):
    """text of elements by id, and the rows of #groups' tbody"""

    def __init__(self):
        super().__init__()
        self.text, self.stack, self.group_rows, self.body_ready = {}, [], [], None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "body":
            self.body_ready = a.get("data-ready")
        if tag == "tr" and "data-group" in a:
            self.group_rows.append(a["data-group"])
        self.stack.append(a.get("id"))

    def handle_endtag(self, tag):
        if self.stack:
            self.stack.pop()

    def handle_data(self, data):
        for i in self.stack:
            if i:
                self.text[i] = self.text.get(i, "") + data


def load(chromium, profile, url, screenshot=None):
    cmd = [chromium, *FLAGS, f"--user-data-dir={profile}"]
    cmd += [f"--screenshot={screenshot}"] if screenshot else ["--dump-dom"]
    p = subprocess.run(cmd + [url], capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        sys.exit(f"FAIL: chromium exited {p.returncode}: {p.stderr[-500:]}")
    if screenshot:
        return None
    d = Dom()
    d.feed(p.stdout)
    return d


def main():
    btfpack, kernels, objdir, chromium, out = sys.argv[1:6]
    objs = sorted(os.path.join(objdir, f) for f in os.listdir(objdir) if f.endswith(".o"))
    failures = []
    os.makedirs(out, exist_ok=True)
    with tempfile.TemporaryDirectory() as t:
        pack, page = os.path.join(t, "p.pack"), os.path.join(t, "report.html")
        subprocess.run([btfpack, "build", kernels, *objs, "-o", pack], check=True, capture_output=True)
        rep = json.loads(subprocess.run([btfpack, "report", pack, *objs, "--json", "--html", page],
                                        check=True, capture_output=True, text=True).stdout)
        text = open(page).read()
        for bad in ("http://", "https://", "<link", "src="):
            if bad in text:
                failures.append(f"the page refers outside itself ({bad!r})")
        url = "file://" + os.path.abspath(page)
        ks, progs = rep["kernels"], rep["programs"]

        def check(fragment, want_kernels, want_programs, want_groups):
            d = load(chromium, os.path.join(t, "profile"), url + fragment)
            if d.body_ready != "1":
                failures.append(f"{fragment or 'no filter'}: the page's script did not finish")
                return
            got = (int(d.text.get("shown-kernels", "-1")), int(d.text.get("shown-programs", "-1")), d.group_rows)
            want = (want_kernels, want_programs, want_groups)
            print(f"{fragment or 'no filter':24} kernels {got[0]}, programs {got[1]}, groups {len(got[2])}; "
                  f"drawn in {d.text.get('render-ms')} ms")
            if got != want:
                failures.append(f"{fragment or 'no filter'}: DOM shows {got}, report says {want}")

        def groups(sel):
            out = []
            for k in sel:
                g = f"{k['distro']}/{k['version']}/{k['arch']}"
                if g not in out:
                    out.append(g)
            return out

        check("", len(ks), len(progs), groups(ks))
        for arch in sorted({k["arch"] for k in ks}):
            sel = [k for k in ks if k["arch"] == arch]
            check(f"#arch={arch}", len(sel), len(progs), groups(sel))
        for v in ("clean", "poisoned", "fails"):
            sel = [k for k in ks if k["verdict"] == v]
            check(f"#verdict={v}", len(sel), len(progs), groups(sel))
        d0 = ks[0]["distro"]
        sel = [k for k in ks if k["distro"] == d0 and k["verdict"] == "fails"]
        check(f"#distro={d0}&verdict=fails", len(sel), len(progs), groups(sel))
        name = progs[0]["name"][:4]
        cols = [p for p in progs if name.lower() in p["name"].lower() or
                name.lower() in os.path.basename(rep["objects"][p["object"]]["path"]).lower()]
        check(f"#program={name}", len(ks), len(cols), groups(ks))
        # the detail view of a non-clean cell names what is missing, with the kernel
        bad = [(k, p) for k in ks for p in k["programs"] if p["missing"]]
        if bad:
            k, p = bad[-1]
            d = load(chromium, os.path.join(t, "profile"), url + "#kernel=" + urllib.parse.quote(k["key"], safe="") + f"&column={p['column']}")
            detail = " ".join(d.text.get("detail", "").split())
            for m in p["missing"]:
                if m not in detail:
                    failures.append(f"detail of {k['key']} {p['program']} lacks {m!r}: {detail[:300]!r}")
            print(f"detail view of {k['key']} {p['program']}: {len(p['missing'])} missing piece(s) shown")
        shot = os.path.join(out, "report.png")
        load(chromium, os.path.join(t, "profile"), url, screenshot=shot)
        if not os.path.exists(shot) or os.path.getsize(shot) < 10000:
            failures.append("no screenshot")
        else:
            print(f"screenshot: {shot}")
    for f in failures:
        print("FAIL:", f)
    print(f"{len(failures)} failure(s)")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
