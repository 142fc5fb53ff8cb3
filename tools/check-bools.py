#!/usr/bin/env python3
"""Every boolean flag's case reads ctx->flag_on (make check's "booleans").

Since boolflags, every option that takes no value is a boolean that takes
one after '=' (pflag's --squash=false): cmd_getopt puts the value in
ctx->flag_on, and the verb's case for the flag must read it. A case that
sets `= true` (or `|= X`, `++`) makes --X=false act as --X, which no suite
sees unless it tries that very flag.

For every option table of cmd/ (the verbs', the families', the shared
ones in headers, the globals) and every short option without a value in
the cmd_getopt call that hands the table over, this finds the places that
take the flag: `case V:` or `c == V` in the function that calls
cmd_getopt with the table (main's own table: main), else (none there but
refusals) in the helpers it passes `c` to (cmd_pull_option,
cmd_refs_option, cmd_runx_option...), else its `default:`. Each such
place must read flag_on (in its condition or its body), refuse the flag
(cmd_getopt_refuse), or do nothing (a flag accepted for podman's sake:
ps --sync; `c != V` keeping it out of an error: image prune -f). A flag
with no such place is reported too. The code is read as clang-format
leaves it (make fmt).

What it cannot see: a case that reads flag_on and also sets something
to true, or falls through into one that reads it; a helper of a helper;
a table filled at run time (update's: it must have no boolean, which is
checked). The =false tests of the suites (boolflags.bats) see behaviour.

Usage: tools/check-bools.py [CMD_DIR]       (default cmd/): one line per
                                             gap, exit 1 when there is one
       tools/check-bools.py --list [CMD_DIR] each boolean and where it is
                                             taken, then the gaps
       tools/check-bools.py --self-test     planted `= true` cases are named
"""
import os
import re
import shutil
import sys
import tempfile

IDENT = r"[A-Za-z_]\w*"


LEXEMES = re.compile(r'/\*.*?\*/|//[^\n]*|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'', re.S)


def blank(text, strings):
    """Comments (and, with strings, string and char literals) replaced by
    spaces, newlines kept: positions and lines stay those of the file."""

    def sub(m):
        t = m.group(0)
        if t[0] == "/":
            return re.sub(r"[^\n]", " ", t)
        return t[0] + " " * (len(t) - 2) + t[0] if strings else t

    return LEXEMES.sub(sub, text)


def match_close(bare, i, op, cl):
    """The position after the bracket that closes the one at i."""
    depth = 0
    for j in range(i, len(bare)):
        if bare[j] == op:
            depth += 1
        elif bare[j] == cl:
            depth -= 1
            if depth == 0:
                return j + 1
    return len(bare)


FUNC_HEAD = re.compile(r"\b(" + IDENT + r")\s*\(([^;{}]*)\)\s*$")


class Src:
    def __init__(self, path):
        self.path = path
        with open(path) as f:
            self.text = f.read()
        self.code = blank(self.text, False)  # comments gone, literals kept
        self.bare = blank(self.text, True)  # literals gone too
        self.funcs = []  # (name, start of body, end of body, parameters)
        depth, i = 0, 0
        while i < len(self.bare):
            ch = self.bare[i]
            if ch == "{" and depth == 0:
                m = FUNC_HEAD.search(self.bare, max(0, i - 4000), i)
                end = match_close(self.bare, i, "{", "}")
                if m and m.group(1) not in ("if", "while", "for", "switch"):
                    self.funcs.append((m.group(1), i, end, split_args(m.group(2))))
                i = end
                continue
            i += 1

    def line(self, pos):
        return self.text.count("\n", 0, pos) + 1

    def func_at(self, pos):
        for f in self.funcs:
            if f[1] <= pos < f[2]:
                return f
        return None


def load(cmd_dir):
    srcs = [Src(os.path.join(cmd_dir, n)) for n in sorted(os.listdir(cmd_dir)) if n.endswith((".c", ".h"))]
    macros = {}
    for s in srcs:
        for m in re.finditer(r"^#define\s+(" + IDENT + r")[ \t]+((?:.*\\\n)*.*)$", s.code, re.M):
            macros[m.group(1)] = m.group(2).replace("\\\n", " ")
    return srcs, macros


def expand(text, macros, seen=()):
    def sub(m):
        name = m.group(0)
        if name in macros and name not in seen:
            return expand(macros[name], macros, seen + (name,))
        return name

    return re.sub(r"\b" + IDENT + r"\b", sub, text)


def split_args(s):
    """The top-level arguments of an argument list's inside."""
    args, depth, cur = [], 0, ""
    for ch in s:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        if ch == "," and depth == 0:
            args.append(cur.strip())
            cur = ""
        else:
            cur += ch
    args.append(cur.strip())
    return args


ENTRY = re.compile(r'\{\s*"([^"]+)"\s*,\s*no_argument\s*,\s*(?:NULL|0)\s*,\s*([^{}]+?)\s*\}')


def table_bools(src, pos, macros):
    """The booleans (name, value) of the table whose '{' is at pos."""
    init = src.code[pos : match_close(src.bare, pos, "{", "}")]
    return [(m.group(1), m.group(2)) for m in ENTRY.finditer(expand(init, macros))]


def find_table(srcs, src, func, name):
    """The file and position of the '{' of option table name, seen from func."""
    pat = re.compile(r"struct option\s+" + re.escape(name) + r"\s*\[[^\]]*\]\s*=\s*\{")
    if func:
        for m in pat.finditer(src.code, func[1], func[2]):
            return src, m.end() - 1
    for s in [src] + [x for x in srcs if x is not src]:
        for m in pat.finditer(s.code):
            if s.func_at(m.start()) is None:
                return s, m.end() - 1
    return None, None


def value_re(val):
    return re.escape(val.strip())


JUMP = re.compile(r"\b(break|return|goto)\b")


def case_body(src, pos):
    """From a case label's end at pos: the text up to its break, return or
    goto, or the end of the switch (the labels it falls to included)."""
    bare, depth, i = src.bare, 0, pos
    while i < len(bare):
        ch = bare[i]
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth < 0:
                return src.code[pos:i]
        elif depth == 0 and JUMP.match(bare, i) and (i == 0 or not (bare[i - 1].isalnum() or bare[i - 1] == "_")):
            end = bare.find(";", i)
            return src.code[pos : end + 1]
        i += 1
    return src.code[pos:]


def if_body(src, pos, lo):
    """For `c == V` at pos: its if's condition and the statement it guards."""
    bare = src.bare
    for m in reversed(list(re.finditer(r"\bif\s*\(", bare[lo:pos]))):
        start = lo + m.end() - 1
        close = match_close(bare, start, "(", ")")
        if close > pos:
            j = close
            while bare[j].isspace():
                j += 1
            end = match_close(bare, j, "{", "}") if bare[j] == "{" else bare.find(";", j) + 1
            return src.code[start:end]
    return None


def sites(src, func, val, var):
    """The places of func that take the flag of value val: (pos, text)."""
    out = []
    v = value_re(val)
    text = src.bare if not val.startswith("'") else src.code
    for m in re.compile(r"\bcase\s+" + v + r"\s*:").finditer(text, func[1], func[2]):
        out.append((m.start(), case_body(src, m.end())))
    for m in re.compile(r"\b" + re.escape(var) + r"\s*([!=])=\s*" + v + r"(?!\w)").finditer(src.code, func[1], func[2]):
        body = if_body(src, m.start(), func[1])
        if body is not None:
            # c != V: the flag kept out of the error of what is not an
            # option (image prune's -f): accepted, with no effect
            out.append((m.start(), "" if m.group(1) == "!" else body))
    return out


def empty(body):
    """A body that does nothing: labels, break, return 0/1 and nothing else."""
    rest = re.sub(r"\bcase\s+[^:]+:|\bdefault\s*:|\bbreak\s*;|\breturn\s+[01]\s*;|[{};\s]", "", body)
    return rest == ""


def reads(body):
    return re.search(r"\bflag_on\b", body) or "cmd_getopt_refuse" in body or empty(body)


HELPERS = {}


def helpers(src, func, var, srcs):
    """The functions func passes var to (their file and span), once each."""
    key = (src.path, func[1], var)
    if key not in HELPERS:
        HELPERS[key] = find_helpers(src, func, var, srcs)
    return HELPERS[key]


def find_helpers(src, func, var, srcs):
    out, seen = [], set()
    for m in re.finditer(r"\b(" + IDENT + r")\s*\(", src.bare[func[1] : func[2]]):
        name = m.group(1)
        if name in seen or name in ("if", "while", "for", "switch", "return", "sizeof"):
            continue
        open_ = func[1] + m.end() - 1
        args = split_args(src.bare[open_ + 1 : match_close(src.bare, open_, "(", ")") - 1])
        if not any(re.search(r"\b" + re.escape(var) + r"\b", a) for a in args):
            continue
        seen.add(name)
        for s in srcs:
            for f in s.funcs:
                if f[0] == name:
                    out.append((s, f))
    return out


def default_body(src, func):
    m = re.search(r"\bdefault\s*:", src.bare[func[1] : func[2]])
    return case_body(src, func[1] + m.end()) if m else None


LISTING = []  # --list: each boolean and where it is taken


def check_flag(srcs, src, func, var, flag, val):
    """The gaps of one boolean: [] when each place that takes it reads it."""
    found = [(src, p, b) for p, b in sites(src, func, val, var)]
    # a refusal (create's of run's --rmi) takes no value: the helpers are
    # looked at when there is nothing but refusals
    if all("cmd_getopt_refuse" in b for _, _, b in found):
        for s, f in helpers(src, func, var, srcs):
            found += [(s, p, b) for p, b in sites(s, f, val, var)]
    where = " ".join("%s:%d" % (os.path.basename(s.path), s.line(p)) for s, p, _ in found)
    LISTING.append("%s --%s: %s" % (func[0], flag, where or "default:"))
    if not found:
        d = default_body(src, func)
        if d is not None and reads(d):
            return []
        return [
            "%s:%d: %s: --%s: no case takes it (its value would be lost)"
            % (src.path, src.line(func[1]), func[0], flag)
        ]
    return [
        "%s:%d: %s: --%s: its case does not read ctx->flag_on (--%s=false would act as --%s)"
        % (s.path, s.line(p), func[0], flag, flag, flag)
        for s, p, b in found
        if not reads(b)
    ]


def short_bools(arg, macros):
    chars = set()
    for lit in re.findall(r'"((?:[^"\\]|\\.)*)"', expand(arg, macros)):
        lit = lit.lstrip("+")
        for i, ch in enumerate(lit):
            if ch != ":" and (i + 1 >= len(lit) or lit[i + 1] != ":"):
                chars.add(ch)
    return chars


def check(cmd_dir):
    HELPERS.clear()
    LISTING.clear()
    srcs, macros = load(cmd_dir)
    gaps, tables_seen, nflags = [], set(), 0
    call = re.compile(r"\b(" + IDENT + r")\s*=\s*cmd_getopt(?:_mixed)?\s*\(")
    for src in srcs:
        for m in call.finditer(src.code):
            var = m.group(1)
            func = src.func_at(m.start())
            open_ = m.end() - 1
            args = split_args(src.code[open_ + 1 : match_close(src.bare, open_, "(", ")") - 1])
            flags = {}
            tname = args[4]
            if any(re.search(r"\b" + re.escape(tname) + r"$", p) for p in func[3]):
                continue  # a wrapper's (cmd_getopt_mixed): its callers' tables are checked
            if re.search(r"struct option\s+" + re.escape(tname) + r"\s*\[[^\]]*\]\s*;", src.code[func[1] : func[2]]):
                # filled at run time (update's, from its flag list): every
                # entry there must take a value
                body = src.code[func[1] : func[2]]
                if re.search(r"\bno_argument\b", body):
                    gaps.append(
                        "%s:%d: %s: a table filled at run time has a boolean: give it a static table"
                        % (src.path, src.line(m.start()), func[0])
                    )
                continue
            if tname != "NULL":
                tsrc, tpos = find_table(srcs, src, func, tname)
                if tsrc is None:
                    where = (src.path, src.line(m.start()), func[0], tname)
                    gaps.append("%s:%d: %s: option table '%s' not found" % where)
                    continue
                tables_seen.add((tsrc.path, tpos))
                for name, val in table_bools(tsrc, tpos, macros):
                    flags.setdefault(val, name)
            for ch in short_bools(args[3], macros):
                flags.setdefault("'%s'" % ch, ch)
            for val, name in flags.items():
                nflags += 1
                gaps += check_flag(srcs, src, func, var, name, val)
    # the tables no cmd_getopt call hands over (the global options', read by
    # main's getopt_long and cmd_getopt itself): taken in the function whose
    # switch has a case for one of them
    for src in srcs:
        for m in re.finditer(r"struct option\s+" + IDENT + r"\s*\[[^\]]*\]\s*=\s*\{", src.code):
            tpos = m.end() - 1
            bools = table_bools(src, tpos, macros)
            if (src.path, tpos) in tables_seen or not bools:
                continue
            init = src.code[tpos : match_close(src.bare, tpos, "{", "}")]
            vals = set(v for _, v in bools) | set(re.findall(r'\{\s*"[^"]+"\s*,\s*\w+\s*,\s*\w+\s*,\s*(' + IDENT + r")\s*\}", init))
            owner = (src, src.func_at(tpos)) if src.func_at(tpos) else None
            names = [value_re(v) for v in vals if not v.startswith("'")]
            case = re.compile(r"\bcase\s+(?:" + "|".join(names) + r")\s*:") if names else None
            for s in srcs if owner is None and case else []:
                c = case.search(s.bare)
                if c and s.func_at(c.start()):
                    owner = (s, s.func_at(c.start()))
                    break
            if owner is None:
                gaps.append("%s:%d: no function takes the options of this table" % (src.path, src.line(m.start())))
                continue
            for name, val in bools:
                nflags += 1
                gaps += check_flag(srcs, owner[0], owner[1], "c", name, val)
    return gaps, nflags


def self_test(top):
    """The tree passes; each planted `= true` is named."""
    ok = True
    gaps, n = check(os.path.join(top, "cmd"))
    if gaps:
        print("\n".join(gaps))
        return False
    plants = [  # file, the line as it is, as planted, the gap the check must name
        ("commit.c", "o.squash = ctx->flag_on;", "o.squash = true;", "cmd_commit: --squash: its case"),
        ("push.c", "o.compress = ctx->flag_on;", "o.compress = true;", "cmd_push: --compress: its case"),
        ("mount.c", "notrunc = ctx->flag_on;", "notrunc = true;", "cmd_mount: --no-trunc: its case"),
        ("runextra.c", "x->init = ctx->flag_on;", "x->init = true;", "parse: --init: its case"),
        ("ctrrefs.c", "r->all = ctx->flag_on;", "r->all = true;", "cmd_rm: --all: its case"),
        ("stats.c", "reset = !ctx->flag_on;", "reset = false;", "cmd_stats: --no-reset: its case"),
        ("pull.c", "all_tags = ctx->flag_on;", "all_tags |= 1;", "cmd_pull: --all-tags: its case"),
        ("main.c", "if (!ctx->flag_on) /* --remote=false", "if (0) /* --remote=false", "global_opt: --remote: no case"),
        ("runmore.c", "m->o.rmi = ctx->flag_on;", "m->o.rmi = true;", "parse: --rmi: its case"),
        ("run.c", "a->o.rm = ctx->flag_on;", "a->o.rm = true;", "parse: --rm: its case"),
        ("stop.c", "r.ignore = ctx->flag_on;\n\t\telse if", "r.ignore = true;\n\t\telse if", "cmd_stop: --ignore: its case"),
        ("ps.c", "\t\tcase OPT_NS:\n\t\t\tns = ctx->flag_on;\n\t\t\tbreak;\n", "", "cmd_ps: --ns: no case"),
    ]
    with tempfile.TemporaryDirectory(prefix="burrow-boolcheck.") as tmp:
        for f, before, after, want in plants:
            d = os.path.join(tmp, "cmd")
            shutil.rmtree(d, ignore_errors=True)
            shutil.copytree(os.path.join(top, "cmd"), d)
            p = os.path.join(d, f)
            with open(p) as fh:
                text = fh.read()
            if before not in text:
                print("check-bools --self-test: cmd/%s no longer has '%s' to plant on" % (f, before))
                ok = False
                continue
            with open(p, "w") as fh:
                fh.write(text.replace(before, after, 1))
            gaps, _ = check(d)
            if not any(want in g for g in gaps):
                print("check-bools --self-test: '%s' in cmd/%s went unnoticed (wanted '%s'):" % (after, f, want))
                print("\n".join(gaps) or "(nothing)")
                ok = False
    if ok:
        print("check-bools --self-test: every planted case was found (%d booleans on the tree)" % n)
    return ok


def main():
    top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if len(sys.argv) > 1 and sys.argv[1] == "--self-test":
        return 0 if self_test(top) else 1
    listing = len(sys.argv) > 1 and sys.argv[1] == "--list"
    args = sys.argv[1 + listing :]
    gaps, n = check(args[0] if args else os.path.join(top, "cmd"))
    if listing:
        print("\n".join(LISTING))
    for g in gaps:
        print(g)
    if not gaps:
        print("check-bools: the %d booleans of cmd/ read ctx->flag_on" % n)
    return 1 if gaps else 0


if __name__ == "__main__":
    sys.exit(main())
