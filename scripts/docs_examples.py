#!/usr/bin/env python3
"""docs_examples.py - extract the examples of Kusto's documentation and run them through logq.

    # extract from a mirror (a git dir, read with `git show`) or a checkout, then run:
    python3 scripts/docs_examples.py extract --git-dir /work/.mirror/MicrosoftDocs+dataexplorer-docs/repo
    python3 scripts/docs_examples.py extract --docs ~/src/dataexplorer-docs
    python3 scripts/docs_examples.py run [--logq .build/debug/logq] [--results FILE] [--update-passing]
    python3 scripts/docs_examples.py check      # the regression guard of `make test`

An *example* is a ```kusto block on a page `data-explorer/kusto/query/*.md` that is followed,
before the next code block or heading, by a markdown table (the page's output). It is runnable
when its data comes from `datatable`, `print`, `range` or `let` only; an example that reads a
table of the docs' sample database (StormEvents, ...) is `needs-table`, one that calls a
non-deterministic function (now(), rand(), new_guid(), ...) is `nondeterministic`, one whose
printed table is cut short (`...` rows) is `truncated`, and a management command (`.show ...`)
is `command`; these are counted apart and never run.

`extract` writes Tests/DocsExamples/examples.jsonl (page, heading, query, expected header and
rows, status). `run` runs every runnable example through `logq query --format json` against one
empty store (timeout per query), compares, prints the figure by page family (operator, function,
plugin, other) and the top failure reasons, and writes one result line per example. `check` runs
only the examples listed in Tests/DocsExamples/passing.txt and fails when one no longer passes.

Comparison: column names exactly (the docs' backticks and surrounding spaces removed); values
after one canonical text form on both sides: datetimes as ISO 8601 with `Z` and no trailing zero
fraction (`2020-01-01 00:00:00.0000000` = `2020-01-01T00:00:00Z`), timespans without trailing
zero fraction, numbers by value (`1.0` = `1`; non-integral reals within a relative 1e-6, as the
docs print rounded values), booleans case-insensitive, dynamic values as compact JSON with keys
sorted, an empty cell equal to null or "". Rows as a multiset unless the query sorts (`order by`,
`sort by`, `top`, `serialize`, ...), then in order.
Standard library only (Python 3.9+).
"""
from __future__ import annotations

import argparse
import collections
import concurrent.futures
import html
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(REPO, "Tests", "DocsExamples")
EXAMPLES = os.path.join(OUT_DIR, "examples.jsonl")
PASSING = os.path.join(OUT_DIR, "passing.txt")
PAGE_DIR = "data-explorer/kusto/query/"
DEFAULT_MIRROR = "/work/.mirror/MicrosoftDocs+dataexplorer-docs/repo"
QUERY_TIMEOUT_S = 10

# =============================================================================================
# Reading the pages
# =============================================================================================


def pages_from_git(git_dir: str) -> tuple[str, dict[str, str]]:
    def git(*args, **kw):
        return subprocess.run(["git", "--git-dir", git_dir, *args], capture_output=True, check=True, **kw)
    commit = git("rev-parse", "HEAD", text=True).stdout.strip()
    names = [n for n in git("ls-tree", "--name-only", "HEAD", PAGE_DIR, text=True).stdout.splitlines()
             if n.endswith(".md")]
    # one `git cat-file --batch` for all pages: ~650 `git show` processes would take longer than the rest
    req = "".join(f"HEAD:{n}\n" for n in names).encode()
    out = git("cat-file", "--batch", input=req).stdout
    pages, pos = {}, 0
    for n in names:
        nl = out.index(b"\n", pos)
        header = out[pos:nl].split()
        if len(header) < 3 or header[1] != b"blob":
            pos = nl + 1
            continue
        size = int(header[2])
        pages[n[len(PAGE_DIR):]] = out[nl + 1:nl + 1 + size].decode("utf-8", "replace")
        pos = nl + 1 + size + 1
    return commit, pages


def pages_from_dir(docs: str) -> tuple[str, dict[str, str]]:
    d = os.path.join(docs, PAGE_DIR)
    if not os.path.isdir(d):
        sys.exit(f"docs_examples: {d} does not exist (expected a checkout of MicrosoftDocs/dataexplorer-docs)")
    commit = "unknown"
    try:
        commit = subprocess.run(["git", "-C", docs, "rev-parse", "HEAD"], capture_output=True, text=True,
                                check=True).stdout.strip()
    except (subprocess.CalledProcessError, OSError):
        pass
    pages = {}
    for n in sorted(os.listdir(d)):
        if n.endswith(".md"):
            with open(os.path.join(d, n), encoding="utf-8", errors="replace") as fh:
                pages[n] = fh.read()
    return commit, pages


def family(page: str) -> str:
    if page.endswith("-operator.md"):
        return "operator"
    if page.endswith("-plugin.md"):
        return "plugin"
    if page.endswith("-function.md"):
        return "function"
    return "other"

# =============================================================================================
# Extracting examples
# =============================================================================================


FENCE = re.compile(r"^\s*(```+|~~~+)\s*([A-Za-z0-9_+-]*)")
HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
SEPARATOR = re.compile(r"^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")


def split_row(line: str) -> list[str]:
    """Cells of one markdown table row: `\\|` is a literal pipe, pipes inside `code` spans too."""
    s = line.strip()
    if s.startswith("|"):
        s = s[1:]
    if s.endswith("|") and not s.endswith("\\|"):
        s = s[:-1]
    cells, cur, in_code, i = [], [], False, 0
    while i < len(s):
        ch = s[i]
        if ch == "\\" and i + 1 < len(s) and s[i + 1] == "|":
            cur.append("|")
            i += 2
            continue
        if ch == "`":
            in_code = not in_code
        if ch == "|" and not in_code:
            cells.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
        i += 1
    cells.append("".join(cur))
    return [clean_cell(c) for c in cells]


def clean_cell(c: str) -> str:
    c = c.strip()
    c = re.sub(r"<br\s*/?>", "\n", c)
    c = html.unescape(c)
    m = re.fullmatch(r"<((?:https?|ftp)://[^<>\s]+)>", c)  # a markdown autolink shows its address
    if m:
        c = m.group(1)
    # markdown emphasis and code spans around the whole cell are presentation, not data
    for _ in range(2):
        m = re.fullmatch(r"(`+)(.*?)\1", c, re.S) or re.fullmatch(r"\*\*(.+?)\*\*", c, re.S)
        if m:
            c = m.group(m.lastindex).strip()
    return c


def skippable(line: str) -> bool:
    """Lines of the docs' markup that stand between a code block and its output table."""
    s = line.strip()
    return (s == "" or s.startswith(":::") or s.startswith(">") or s.startswith("[!INCLUDE")
            or s.lower().strip("*:") in ("output", "results", "result", "**output**"))


def read_table(lines: list[str], i: int) -> tuple[list[str], list[list[str]], int] | None:
    """The table starting at line i (header, separator, rows), or None."""
    if i + 1 >= len(lines) or "|" not in lines[i] or not SEPARATOR.match(lines[i + 1]) \
            or "-" not in lines[i + 1]:
        return None
    header = split_row(lines[i])
    rows, j = [], i + 2
    while j < len(lines) and lines[j].strip() and "|" in lines[j] and not FENCE.match(lines[j]):
        rows.append(split_row(lines[j]))
        j += 1
    return header, rows, j


def extract_page(page: str, text: str) -> list[dict]:
    lines = text.splitlines()
    out, heading, i = [], "", 0
    while i < len(lines):
        h = HEADING.match(lines[i])
        if h:
            heading = h.group(2).strip()
            i += 1
            continue
        f = FENCE.match(lines[i])
        if not f:
            i += 1
            continue
        fence, lang = f.group(1), f.group(2).lower()
        j = i + 1
        while j < len(lines) and not lines[j].strip().startswith(fence[:3]):
            j += 1
        body = lines[i + 1:j]
        i = j + 1
        if lang not in ("kusto", "kql"):
            continue
        # the output table: after the block, before the next code block or heading
        k = i
        table = None
        while k < len(lines):
            if HEADING.match(lines[k]) or FENCE.match(lines[k]):
                break
            t = read_table(lines, k)
            if t:
                table = t
                break
            k += 1
        if table is None:
            continue
        header, rows, _ = table
        query = "\n".join(body).strip("\n")
        out.append({"page": page, "family": family(page), "heading": heading, "query": query,
                    "header": header, "rows": rows})
    return out

# =============================================================================================
# Classifying: what the example's data comes from
# =============================================================================================


TOKEN = re.compile(r"""
    (?P<comment>//[^\n]*)
  | (?P<string>[@hH]?(?:"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')|```.*?```)
  | (?P<ident>\[\s*(?:'[^']*'|"[^"]*")\s*\]|[A-Za-z_$][A-Za-z0-9_$-]*(?<!-))
  | (?P<number>\d[\w.]*)
  | (?P<punct>==|!=|<=|>=|=~|!~|\.\.|[^\sA-Za-z0-9_])
""", re.X | re.S)


def lex(q: str) -> list[tuple[str, str]]:
    toks = []
    for m in TOKEN.finditer(q):
        kind = m.lastgroup
        if kind != "comment":
            toks.append((kind, m.group()))
    return toks


DATA_SOURCES = {"datatable", "print", "range", "materialize", "toscalar", "view", "declare", "set",
                "alias", "pattern", "restrict", "evaluate", "externaldata", "external_data", "let",
                "union", "find", "search", "cluster", "database", "table", "macro-expand"}
# Operators whose operand (a table expression) follows them directly.
TABLE_OPERANDS = {"join", "union", "lookup", "in", "!in", "as"}
NONDETERMINISTIC = {"now", "ago", "rand", "new_guid", "current_principal", "current_principal_details",
                    "current_cluster_endpoint", "current_database", "cursor_current", "ingestion_time",
                    "sample", "sample-distinct", "take", "limit", "current_principal_is_member_of",
                    "estimate_data_size", "extent_id", "extent_tags", "getschema"}


def classify(ex: dict) -> tuple[str, str]:
    """(status, detail): runnable, needs-table, nondeterministic, truncated, command."""
    q = ex["query"]
    if q.lstrip().startswith("."):
        return "command", q.split()[0]
    if any(all(c.strip(" .…") == "" for c in r) and any(c for c in r) for r in ex["rows"]) \
            or any(c.strip() in ("...", "…") for r in ex["rows"] for c in r):
        return "truncated", "the page shows '...' rows"
    toks = lex(q)
    lets = set()
    for k, (kind, text) in enumerate(toks):
        if kind == "ident" and text.lower() == "let" and k + 1 < len(toks) and toks[k + 1][0] == "ident":
            lets.add(toks[k + 1][1])
        # lambda parameters: let f = (T:(x:long), n:int) { T | ... }
        if kind == "ident" and k + 1 < len(toks) and toks[k + 1][1] == ":" and k > 0 \
                and toks[k - 1][1] in ("(", ","):
            lets.add(text)
        if kind == "ident" and text.lower() in ("as",) and k + 1 < len(toks) and toks[k + 1][0] == "ident":
            lets.add(toks[k + 1][1])
    # tabular sources: the first word of each statement, of each `(` that opens a pipeline, and
    # the operands of join/union/lookup/in
    sources = []
    starts = {0}
    depth, union_at = 0, []  # depths at which a `union` lists its operands
    for k, (kind, text) in enumerate(toks):
        if kind == "punct" and text in "([{":
            depth += 1
        elif kind == "punct" and text in ")]}":
            depth -= 1
        if kind == "punct" and text in ("|", ";"):
            union_at = [d for d in union_at if d < depth]
        if kind == "ident" and text.lower() == "union":
            union_at.append(depth)
        if text in (";", "(", "{") or (text == "," and depth in union_at) or \
                (kind == "ident" and text.lower() in TABLE_OPERANDS):
            starts.add(k + 1)
        if text == "=" and k >= 2 and toks[k - 2][1].lower() == "let":
            starts.add(k + 1)
    for k in sorted(starts):
        if k >= len(toks) or toks[k][0] != "ident":
            continue
        name = toks[k][1]
        low = name.lower()
        # a name followed by a pipe is used as a table; a statement's first word is a table
        # unless it is a keyword, a let name or a function call
        nxt = toks[k + 1][1] if k + 1 < len(toks) else ";"
        is_statement_start = k == 0 or toks[k - 1][1] in (";",) or (k >= 3 and toks[k - 1][1] == "=" and
                                                                      toks[k - 3][1].lower() == "let")
        is_operand = k > 0 and toks[k - 1][1].lower() in TABLE_OPERANDS
        piped = nxt == "|"
        if not (piped or is_operand or (is_statement_start and nxt in (";", "|"))):
            continue
        if low in DATA_SOURCES or name in lets or low in ("kind", "withsource", "isfuzzy", "hint"):
            continue
        if name.startswith("["):
            continue
        sources.append(name)
    if sources:
        return "needs-table", sources[0]
    for k, (kind, text) in enumerate(toks):
        low = text.lower()
        if kind == "ident" and low in NONDETERMINISTIC:
            prev = toks[k - 1][1] if k else ""
            nxt = toks[k + 1][1] if k + 1 < len(toks) else ""
            if (prev == "|" and low in ("sample", "sample-distinct", "take", "limit")) or nxt == "(":
                if low in ("take", "limit") and not ex["rows"]:
                    continue
                if low in ("take", "limit") and not re.search(r"\b(order|sort)\s+by\b|\btop\b", q):
                    # take without a sort promises no particular rows, unless it keeps them all
                    return "nondeterministic", low
                if low not in ("take", "limit"):
                    return "nondeterministic", low
    return "runnable", ""


def cmd_extract(args) -> int:
    if args.docs:
        commit, pages = pages_from_dir(args.docs)
        source = args.docs
    else:
        gd = args.git_dir
        if not os.path.isdir(gd):
            sys.exit(f"docs_examples: no docs mirror at {gd}.\n  Get one with: git clone --bare "
                     "https://github.com/MicrosoftDocs/dataexplorer-docs.git DIR, then pass --git-dir DIR "
                     "(or --docs DIR for a checkout).")
        commit, pages = pages_from_git(gd)
        source = gd
    examples = []
    for page in sorted(pages):
        for n, ex in enumerate(extract_page(page, pages[page]), 1):
            ex["id"] = f"{page[:-3]}#{n}"
            ex["status"], ex["status_detail"] = classify(ex)
            examples.append(ex)
    os.makedirs(OUT_DIR, exist_ok=True)
    keys = ["id", "page", "family", "heading", "status", "status_detail", "query", "header", "rows"]
    with open(args.out, "w", encoding="utf-8") as fh:
        for ex in examples:
            fh.write(json.dumps({k: ex[k] for k in keys}, ensure_ascii=False) + "\n")
    with open(os.path.join(os.path.dirname(args.out), "SOURCE_COMMIT"), "w") as fh:
        fh.write(commit + "\n")
    st = collections.Counter(e["status"] for e in examples)
    print(f"docs_examples: {len(pages)} pages of {source} at {commit[:12]}: {len(examples)} examples with an "
          f"output table: " + ", ".join(f"{v} {k}" for k, v in st.most_common()) + f" -> {args.out}")
    return 0

# =============================================================================================
# Canonical values
# =============================================================================================


DT = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?\s*(Z|\+00:00)?$")
TS = re.compile(r"^(-?)(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d+))?$")
NUM = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def canon_number(x) -> str:
    if isinstance(x, bool):
        return "true" if x else "false"
    if isinstance(x, int):
        return str(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if x == int(x) and abs(x) < 1e17:
        return str(int(x))
    return repr(float(x))


def canon_json(v) -> str:
    def norm(x):
        if isinstance(x, dict):
            return {k: norm(x[k]) for k in sorted(x)}
        if isinstance(x, list):
            return [norm(y) for y in x]
        if isinstance(x, float) and x == int(x) and abs(x) < 1e17:
            return int(x)
        if isinstance(x, str):
            d = canon_datetime(x)
            return d if d is not None else x
        return x
    return json.dumps(norm(v), ensure_ascii=False, separators=(",", ":"))


def canon_datetime(s: str) -> str | None:
    m = DT.match(s.strip())
    if not m or (m.group(4) is None and m.group(8) is None and len(s.strip()) != 10):
        return None
    y, mo, d, h, mi, se, frac, _ = m.groups()
    frac = (frac or "").rstrip("0")
    return f"{int(y):04d}-{int(mo):02d}-{int(d):02d}T{int(h or 0):02d}:{int(mi or 0):02d}:{int(se or 0):02d}" \
           + (f".{frac}" if frac else "") + "Z"


def canon_text(s: str) -> str:
    t = s.strip()
    if t == "":
        return ""
    d = canon_datetime(t)
    if d is not None:
        return d
    m = TS.match(t)
    if m:
        sign, days, h, mi, se, frac = m.groups()
        frac = (frac or "").rstrip("0")
        return f"{sign}{int(days) if days and int(days) else ''}{'.' if days and int(days) else ''}" \
               f"{int(h):02d}:{mi}:{se}" + (f".{frac}" if frac else "")
    if NUM.match(t):
        try:
            return canon_number(float(t)) if any(c in t for c in ".eE") else str(int(t))
        except (ValueError, OverflowError):
            return t
    if t.lower() in ("true", "false"):
        return t.lower()
    t = {"∞": "inf", "-∞": "-inf", "+∞": "inf"}.get(t, t)
    if t.lower() in ("nan", "inf", "-inf", "+inf", "infinity", "-infinity"):
        return t.lower().replace("infinity", "inf").lstrip("+")
    if t[0] in "[{":
        try:
            return canon_json(json.loads(t))
        except ValueError:
            pass
    return t


def canon_got(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return canon_number(v)
    if isinstance(v, (list, dict)):
        return canon_json(v)
    return canon_text(str(v))


def close(a: str, b: str) -> bool:
    if a == b:
        return True
    if NUM.match(a) and NUM.match(b) and any(c in a + b for c in ".eE"):
        fa, fb = float(a), float(b)
        return abs(fa - fb) <= max(1e-12, 1e-6 * max(abs(fa), abs(fb)))
    if a[:1] in "[{" and b[:1] == a[:1]:
        try:
            return json_close(json.loads(a), json.loads(b))
        except ValueError:
            return False
    return False


def json_close(x, y) -> bool:
    if isinstance(x, dict) and isinstance(y, dict):
        return x.keys() == y.keys() and all(json_close(x[k], y[k]) for k in x)
    if isinstance(x, list) and isinstance(y, list):
        return len(x) == len(y) and all(json_close(a, b) for a, b in zip(x, y))
    if isinstance(x, (int, float)) and isinstance(y, (int, float)) and not isinstance(x, bool) \
            and not isinstance(y, bool):
        return abs(x - y) <= max(1e-12, 1e-6 * max(abs(x), abs(y)))
    return x == y


SORTS = re.compile(r"\|\s*(order\s+by|sort\s+by|top\b|top-nested|serialize|make-series|scan\b)|\bprint\b|"
                   r"row_number|prev\(|next\(|row_cumsum", re.I)


def ordered(query: str) -> bool:
    body = " ".join(t for k, t in lex(query) if k != "string")
    return bool(SORTS.search(body))


def compare(ex: dict, got: dict) -> str | None:
    want_names = ex["header"]
    if want_names != got["names"]:
        return f"columns: expected {want_names} got {got['names']}"
    exp = [[canon_text(c) for c in r] for r in ex["rows"]]
    res = [[canon_got(v) for v in r] for r in got["rows"]]
    if any(len(r) != len(want_names) for r in exp):
        return "page table has rows of another width than its header"
    def rows_close(a, b):
        return len(a) == len(b) and all(len(x) == len(y) and all(close(p, q) for p, q in zip(x, y))
                                        for x, y in zip(a, b))
    if ordered(ex["query"]):
        if rows_close(exp, res):
            return None
        if sorted(exp) == sorted(res):
            return "values: same rows, other order"
    elif rows_close(sorted(exp), sorted(res)):
        return None
    if len(exp) != len(res):
        return f"values: {len(exp)} rows expected, {len(res)} got"
    e, g = (exp, res) if ordered(ex["query"]) else (sorted(exp), sorted(res))
    for x, y in zip(e, g):
        for n, (p, q) in enumerate(zip(x, y)):
            if not close(p, q):
                return f"values: column {want_names[n]}: expected {p[:60]!r} got {q[:60]!r}"
    return "values differ"

# =============================================================================================
# Running
# =============================================================================================


def find_logq(path: str | None) -> str:
    for p in ([path] if path else [os.path.join(REPO, ".build", "debug", "logq"),
                                    os.path.join(REPO, ".build", "release", "logq")]):
        if p and os.path.isfile(p) and os.access(p, os.X_OK):
            return os.path.abspath(p)
    sys.exit("docs_examples: no logq binary (run `swift build` first, or pass --logq PATH)")


def reason_of(stderr: str) -> str:
    """A failure's reason class, e.g. `unknown function 'foo'` or `unsupported operator mv-apply`."""
    first = next((l for l in stderr.splitlines() if l.strip()), "(no message)")
    m = re.search(r"error (LQ\d+): (.*)", first)
    if not m:
        return first.strip()[:100]
    code, msg = m.groups()
    m2 = re.match(r"(unknown (?:function|aggregate|table or tabular expression)) '([^']*)'", msg)
    if m2 and "table" not in m2.group(1):
        return f"{m2.group(1)} {m2.group(2)}"
    m2 = re.match(r"the '([^']+)' operator is not supported", msg)
    if m2:
        return f"unsupported operator {m2.group(1)}"
    m2 = re.match(r"unknown tabular operator '([^']*)'", msg)
    if m2:
        return f"unknown operator {m2.group(1)}"
    m2 = re.match(r"summarize needs aggregate functions; '([^']*)' is not one", msg)
    if m2:
        return f"unknown aggregate {m2.group(1)}"
    # keep the message's shape, not its particulars
    msg = re.sub(r"'[^']*'", "'…'", msg)
    return f"{code} {msg[:90]}"


def run_one(ex: dict, logq: str, store: str) -> dict:
    res = {"id": ex["id"], "page": ex["page"], "family": ex["family"]}
    try:
        r = subprocess.run([logq, "query", "--format", "json", "--store", store, "--timeout", str(QUERY_TIMEOUT_S),
                            "--no-truncation", ex["query"]], capture_output=True, text=True,
                           timeout=QUERY_TIMEOUT_S + 5, errors="replace")
    except subprocess.TimeoutExpired:
        res.update(result="fail", reason="timeout", detail=f"no answer in {QUERY_TIMEOUT_S + 5} s")
        return res
    if r.returncode != 0:
        crash = r.returncode < 0 or r.returncode >= 128 or r.returncode == 70
        reason = f"crash (exit {r.returncode})" if crash else reason_of(r.stderr)
        if reason == "unsupported operator evaluate":
            m = re.search(r"\bevaluate\s+(?:hint\.\w+\s*=\s*\w+\s+)*([A-Za-z_]\w*)", ex["query"])
            reason += f" {m.group(1)}" if m else ""
        res.update(result="fail", reason=reason,
                   detail=(r.stderr.strip().splitlines() or [""])[0][:300])
        return res
    try:
        doc = json.loads(r.stdout)
        t = doc["tables"][0]
        got = {"names": [c["name"] for c in t["columns"]], "rows": t["rows"]}
    except (ValueError, KeyError, IndexError, TypeError):
        res.update(result="fail", reason="output is not the JSON result shape", detail=r.stdout[:200])
        return res
    why = compare(ex, got)
    if why is None:
        res.update(result="pass")
    else:
        res.update(result="fail", reason=why.split(":")[0] if why.startswith(("columns", "values")) else why,
                   detail=why[:300])
    return res


def load_examples(path: str) -> list[dict]:
    if not os.path.exists(path):
        sys.exit(f"docs_examples: {path} is missing; run `docs_examples.py extract` first")
    with open(path, encoding="utf-8") as fh:
        return [json.loads(l) for l in fh if l.strip()]


def run_all(examples: list[dict], logq: str, jobs: int) -> list[dict]:
    tmp = tempfile.mkdtemp(prefix="logq-docs-examples.")
    try:
        store = os.path.join(tmp, "store")
        subprocess.run([logq, "init", "--store", store], capture_output=True, check=False)
        os.makedirs(store, exist_ok=True)
        with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
            return list(pool.map(lambda e: run_one(e, logq, store), examples))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def cmd_run(args) -> int:
    examples = load_examples(args.examples)
    logq = find_logq(args.logq)
    status = collections.Counter(e["status"] for e in examples)
    runnable = [e for e in examples if e["status"] == "runnable"]
    if args.filter:
        runnable = [e for e in runnable if args.filter in e["id"]]
    results = run_all(runnable, logq, args.jobs)
    by_id = {e["id"]: e for e in runnable}
    with open(args.results, "w", encoding="utf-8") as fh:
        for r in results:
            fh.write(json.dumps({**r, "query": by_id[r["id"]]["query"]}, ensure_ascii=False) + "\n")
    if args.verbose:
        for r in results:
            if r["result"] != "pass":
                print(f"FAIL {r['id']}: {r.get('detail', r['reason'])}")
    passed = [r for r in results if r["result"] == "pass"]
    print(f"docs examples with an output table: {len(examples)} "
          f"({', '.join(f'{v} {k}' for k, v in status.most_common())})")
    for fam in ("operator", "function", "plugin", "other"):
        rs = [r for r in results if r["family"] == fam]
        if rs:
            p = sum(r["result"] == "pass" for r in rs)
            print(f"  {fam:9s} {p:4d}/{len(rs):<4d} {100.0 * p / len(rs):5.1f}%")
    reasons = collections.Counter(r["reason"] for r in results if r["result"] != "pass")
    print(f"top failure reasons ({sum(reasons.values())} failures, {len(reasons)} reasons):")
    for reason, n in reasons.most_common(args.top):
        print(f"  {n:4d}  {reason}")
    print(f"per-example results: {args.results}")
    if args.update_passing:
        with open(PASSING, "w", encoding="utf-8") as fh:
            fh.write("# docs examples that pass; `make test` fails when one stops passing.\n"
                     "# Regenerate: python3 scripts/docs_examples.py run --update-passing\n")
            for r in sorted(passed, key=lambda r: r["id"]):
                fh.write(r["id"] + "\n")
        print(f"wrote {len(passed)} ids to {PASSING}")
    print(f"docs examples: {len(passed)}/{len(results)} runnable passed "
          f"({100.0 * len(passed) / max(1, len(results)):.1f}%)")
    return 0


def cmd_check(args) -> int:
    examples = {e["id"]: e for e in load_examples(args.examples)}
    with open(PASSING, encoding="utf-8") as fh:
        ids = [l.strip() for l in fh if l.strip() and not l.startswith("#")]
    missing = [i for i in ids if i not in examples]
    if missing:
        print(f"docs_examples check: {len(missing)} ids of passing.txt are not in examples.jsonl, e.g. "
              f"{missing[0]} (regenerate passing.txt after re-extracting)")
        return 1
    logq = find_logq(args.logq)
    results = run_all([examples[i] for i in ids], logq, args.jobs)
    bad = [r for r in results if r["result"] != "pass"]
    for r in bad:
        print(f"REGRESSION {r['id']}: {r.get('detail', r['reason'])}\n    query: "
              + examples[r['id']]['query'].replace("\n", "\n           "))
    print(f"docs examples check: {len(results) - len(bad)}/{len(results)} of passing.txt still pass")
    return 1 if bad else 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    e = sub.add_parser("extract", help="extract the examples into examples.jsonl")
    e.add_argument("--git-dir", default=DEFAULT_MIRROR, help="a git dir of MicrosoftDocs/dataexplorer-docs")
    e.add_argument("--docs", help="a checkout of MicrosoftDocs/dataexplorer-docs (instead of --git-dir)")
    e.add_argument("--out", default=EXAMPLES)
    for name in ("run", "check"):
        p = sub.add_parser(name)
        p.add_argument("--logq", help="the logq binary (default .build/debug/logq)")
        p.add_argument("--examples", default=EXAMPLES)
        p.add_argument("--jobs", type=int, default=2)
        if name == "run":
            p.add_argument("--results", default=os.path.join(tempfile.gettempdir(), "logq-docs-examples-results.jsonl"))
            p.add_argument("--filter", help="only examples whose id contains this")
            p.add_argument("--top", type=int, default=25)
            p.add_argument("--update-passing", action="store_true", help="rewrite passing.txt from this run")
            p.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    return {"extract": cmd_extract, "run": cmd_run, "check": cmd_check}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
