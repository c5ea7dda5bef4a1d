"""cases.py - reads the declarative .cases files into runnable cases.

The format is described in tests/api/README.md.  In short: `case NAME`
starts a case; a request line `METHOD /path [as WHO]` or a `cli`/`exec`
line starts a step; the indented lines after it describe what is sent,
what must come back, and what to remember for later steps.
"""

import codecs
import json
import re
import shlex
import time

from harness.client import Body
from harness.engine import (CheckFailed, answer_of, body_json, check_error,
                            check_json, check_status, compare, lookup,
                            parse_value, session_of, snippet, MISSING)

REQUEST_RE = re.compile(r"([A-Z]+)\s+(/\S*)(?:\s+as\s+(\S+))?$")
SIZE_RE = re.compile(r"(\d+)\s*(KiB|MiB)?\s*(?:([+-])\s*(\d+))?$")
OPS = ("==", "!=", "~", "!~", "<=", ">=", "<", ">", "has", "lacks",
       "exists", "absent", "type", "descending", "ascending")
UNARY = ("exists", "absent", "descending", "ascending")


class ParseError(Exception):
    pass


def parse_size(text):
    m = SIZE_RE.match(text.strip())
    if not m:
        raise ParseError("bad size %r (e.g. 65536, 256KiB, 10MiB+1)" % text)
    n = int(m.group(1)) * {None: 1, "KiB": 1024,
                           "MiB": 1024 * 1024}[m.group(2)]
    if m.group(3):
        n += int(m.group(4)) if m.group(3) == "+" else -int(m.group(4))
    return n


def split_check(text):
    """'PATH OP [VALUE]' -> (path, op, value)."""
    parts = text.split(None, 2)
    if len(parts) < 2 or parts[1] not in OPS:
        raise ParseError("expected 'THING OP [VALUE]', got %r" % text)
    if parts[1] in UNARY:
        if len(parts) > 2:
            raise ParseError("%s takes no value" % parts[1])
        return parts[0], parts[1], None
    if len(parts) < 3:
        raise ParseError("%s needs a value" % parts[1])
    return parts[0], parts[1], parts[2]


class Step:
    def __init__(self, line):
        self.line = line
        self.actions = []  # ("save", (name, source, arg)) or (check, args)


class RequestStep(Step):
    def __init__(self, line, method, path, who):
        super().__init__(line)
        self.method = method
        self.path = path
        self.who = who or "anonymous"
        self.headers = []
        self.body = None      # bytes template, substituted when sent
        self.raw = None       # bytes, sent as is
        self.pad = None
        self.chunked = False
        self.fills = []
        self.csrf = True
        self.repeat = 1

    def auth(self, ctx):
        if self.who == "anonymous":
            return None
        kind, _, name = self.who.partition(":")
        if kind == "key":
            return ("key", ctx.subst("${%s}" % name))
        if kind == "session":
            return ("session", ctx.subst("${%s.cookie}" % name),
                    ctx.subst("${%s.csrf}" % name))
        raise CheckFailed("unknown auth %r" % self.who)

    def run(self, ctx):
        for i in range(1, self.repeat + 1):
            extra = {"i": i}
            path = ctx.subst(self.path, extra)
            headers = [(n, ctx.subst(v, extra)) for (n, v) in self.headers]
            headers += [(n, "a" * size) for (n, size) in self.fills]
            body = None
            if self.raw is not None:
                body = Body(self.raw, self.pad, self.chunked)
            elif self.body is not None:
                data = ctx.subst(self.body, extra).encode()
                body = Body(data, self.pad, self.chunked)
            csrf = self.csrf
            if isinstance(csrf, str):
                csrf = ctx.subst(csrf, extra)
            timeout = 60 if self.pad else None
            resp = ctx.call(self.method, path, self.auth(ctx), headers,
                            body, csrf, timeout=timeout)
            try:
                self.verify(ctx, resp, extra)
            except CheckFailed as e:
                where = " (attempt %d)" % i if self.repeat > 1 else ""
                raise CheckFailed("%s %s%s: %s" % (self.method, path[:80],
                                                   where, e)) from None

    def verify(self, ctx, resp, extra):
        """Checks and saves, in the order the file gives them."""
        for (kind, args) in self.actions:
            if kind == "save":
                save_response(ctx, resp, *args)
            elif kind == "status":
                check_status(resp, args)
            elif kind == "error":
                check_error(resp, args)
            elif kind == "json":
                path, op, rhs = args
                rhs = ctx.subst(rhs, extra) if rhs is not None else None
                check_json(body_json(resp), ctx.subst(path, extra), op, rhs)
            elif kind == "header":
                name, op, rhs = args
                rhs = ctx.subst(rhs, extra) if rhs is not None else None
                check_header(resp, name, op, rhs)
            elif kind == "text":
                op, rhs = args
                compare("body", resp.body.decode("utf-8", "replace"), op,
                        ctx.subst(rhs, extra))
            elif kind == "same":
                want = ctx.subst("${%s}" % args)
                got = answer_of(resp)
                if got != want:
                    raise CheckFailed("answer differs from ${%s}: got %r, "
                                      "earlier %r" % (args, got, want))


def check_header(resp, name, op, rhs):
    values = resp.header(name)
    what = "header %s" % name
    if op == "absent":
        if values:
            raise CheckFailed("%s present: %r" % (what, values))
        return
    if not values:
        raise CheckFailed("%s is missing" % what)
    if op == "exists":
        return
    if op in ("~", "!~"):
        hits = [v for v in values if compare_ok(v, op, rhs)]
        if (op == "~" and not hits) or (op == "!~" and
                                        len(hits) != len(values)):
            raise CheckFailed("%s = %r, wanted %s %s" % (what, values, op,
                                                         rhs))
        return
    if len(values) != 1:
        raise CheckFailed("%s appears %d times" % (what, len(values)))
    compare(what, values[0], op, rhs if op not in ("==", "!=")
            else json.dumps(rhs))


def compare_ok(value, op, rhs):
    try:
        compare("", value, op, rhs)
        return True
    except CheckFailed:
        return False


def save_response(ctx, resp, name, source, arg):
    if source == "json":
        found = lookup(body_json(resp), arg)
        if len(found) != 1 or found[0] is MISSING:
            raise CheckFailed("cannot save %s: %s not found in %s"
                              % (name, arg, snippet(resp)))
        leaf = arg.rsplit(".", 1)[-1]
        ctx.save(name, found[0], secret=leaf in ("secret", "token",
                                                 "csrf_token"))
    elif source == "header":
        value = resp.first(arg)
        if value is None:
            raise CheckFailed("cannot save %s: no header %s" % (name, arg))
        ctx.save(name, value)
    elif source == "session":
        cookie = session_of(resp)
        doc = body_json(resp)
        csrf = doc.get("csrf_token") if isinstance(doc, dict) else None
        if not cookie or not isinstance(csrf, str):
            raise CheckFailed("cannot save session %s: no cookie or no "
                              "csrf_token (%d %s)" % (name, resp.status,
                                                      snippet(resp)))
        ctx.save(name + ".cookie", cookie, secret=True)
        ctx.save(name + ".csrf", csrf, secret=True)
    elif source == "answer":
        ctx.save(name, answer_of(resp))
    elif source == "text":
        m = re.search(arg, resp.body.decode("utf-8", "replace"), re.M)
        if not m or not m.groups():
            raise CheckFailed("cannot save %s: /%s/ does not match the "
                              "body" % (name, arg))
        value = m.group(1)
        ctx.save(name, int(value) if value.isdigit() else value)


class ProgramStep(Step):
    """`cli ARGS` runs the server binary, `exec PROGRAM ARGS` another."""

    def __init__(self, line, argv, own_binary):
        super().__init__(line)
        self.argv = argv
        self.own_binary = own_binary
        self.stdin = None

    def run(self, ctx):
        argv = [ctx.subst(a) for a in self.argv]
        if self.own_binary:
            argv = [ctx.binary] + argv
        stdin = ctx.subst(self.stdin) + "\n" if self.stdin is not None \
            else None
        done = ctx.program(argv, stdin)
        output = (done.stdout + done.stderr).strip()
        shown = " ".join(self.argv[:3])
        for (kind, args) in self.actions:
            if kind == "exit" and done.returncode != args:
                raise CheckFailed("%s: exit %d, wanted %d: %s" % (
                    shown, done.returncode, args, output[-300:]))
            if kind == "output":
                op, rhs = args
                try:
                    compare("output", output, op, ctx.subst(rhs))
                except CheckFailed as e:
                    raise CheckFailed("%s: %s" % (shown, e)) from None
        for (kind, args) in self.actions:
            if kind != "save":
                continue
            name, source, arg = args
            if source == "output" and arg is None:
                ctx.save(name, done.stdout.strip())
            else:
                try:
                    doc = json.loads(done.stdout)
                except ValueError:
                    raise CheckFailed("%s: output is not JSON: %r"
                                      % (shown, done.stdout[:120])) \
                        from None
                found = lookup(doc, arg)
                if found[0] is MISSING:
                    raise CheckFailed("%s: no %s in output" % (shown, arg))
                ctx.save(name, found[0])


class AssertStep(Step):
    """`assert LEFT OP RIGHT` compares two values saved earlier."""

    def __init__(self, line, left, op, right):
        super().__init__(line)
        self.left = left
        self.op = op
        self.right = right

    def run(self, ctx):
        left = parse_value(ctx.subst(self.left))
        compare(self.left, left, self.op, ctx.subst(self.right))


class SleepStep(Step):
    def __init__(self, line, seconds):
        super().__init__(line)
        self.seconds = seconds

    def run(self, ctx):
        time.sleep(self.seconds)


class Case:
    def __init__(self, family, name, line):
        self.family = family
        self.name = name
        self.line = line
        self.source = None
        self.steps = []
        self.func = None   # Python cases run this instead of steps

    def run(self, ctx):
        if self.func is not None:
            self.func(ctx)
            return
        for step in self.steps:
            step.run(ctx)


def parse_file(path, family):
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    cases = []
    case = step = None
    for number, line in enumerate(lines, 1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        try:
            word, _, rest = text.partition(" ")
            rest = rest.strip()
            if word == "case":
                case = Case(family, rest, number)
                cases.append(case)
                step = None
                continue
            if case is None:
                raise ParseError("%r before the first case" % text)
            m = REQUEST_RE.match(text)
            if m and word.isupper():
                step = RequestStep(number, m.group(1), m.group(2),
                                   m.group(3))
                case.steps.append(step)
            elif word in ("cli", "exec"):
                step = ProgramStep(number, shlex.split(rest), word == "cli")
                case.steps.append(step)
            elif word == "assert":
                left, op, right = split_check(rest)
                step = AssertStep(number, left, op, right)
                case.steps.append(step)
            elif word == "sleep":
                step = SleepStep(number, float(rest))
                case.steps.append(step)
            elif word == "from":
                case.source = rest
            elif step is None:
                raise ParseError("%r outside a step" % text)
            else:
                parse_directive(step, word, rest)
        except (ParseError, ValueError) as e:
            raise ParseError("%s:%d: %s" % (path, number, e)) from None
    return cases


def parse_directive(step, word, rest):
    is_request = isinstance(step, RequestStep)
    if word == "save":
        m = re.fullmatch(r"([A-Za-z_][\w.]*)\s*=\s*(json|header|session|"
                         r"answer|output|text)\s*(.*)", rest)
        if not m:
            raise ParseError("save NAME = json PATH | header NAME | "
                             "session | answer | text REGEX | "
                             "output [json PATH]")
        source, arg = m.group(2), m.group(3).strip() or None
        if source == "output" and arg:
            if not arg.startswith("json "):
                raise ParseError("save NAME = output [json PATH]")
            arg = arg[5:].strip()
            source = "output-json"
        step.actions.append(("save", (m.group(1), source, arg)))
    elif word == "expect" and is_request:
        parts = rest.split()
        if not parts or len(parts) > 2:
            raise ParseError("expect STATUS [ERROR_CODE]")
        step.actions.append(("status", parts[0]))
        if len(parts) == 2:
            step.actions.append(("error", parts[1]))
    elif word == "json" and is_request:
        step.actions.append(("json", split_check(rest)))
    elif word == "header" and is_request:
        name, op, value = split_check(rest)
        step.actions.append(("header", (name, op, value)))
    elif word in ("text", "output"):
        op, _, value = rest.partition(" ")
        if op not in ("~", "!~", "=="):
            raise ParseError("%s ~|!~|== VALUE" % word)
        step.actions.append((word, (op, value.strip())))
    elif word == "same" and is_request:
        step.actions.append(("same", rest))
    elif word == "exit" and not is_request:
        step.actions.append(("exit", int(rest)))
    elif word == "stdin" and not is_request:
        step.stdin = rest
    elif is_request:
        parse_request_directive(step, word, rest)
    else:
        raise ParseError("unknown directive %r here" % word)


def parse_request_directive(step, word, rest):
    if word == "with":
        name, sep, value = rest.partition(":")
        if not sep or not name.strip():
            raise ParseError("with Name: value")
        step.headers.append((name.strip(), value.strip()))
    elif word == "body":
        json.loads(re.sub(r"\$\{[^}]*\}", "0", rest))  # well-formed
        step.body = rest
    elif word == "raw":
        step.raw = codecs.escape_decode(rest.encode())[0]
    elif word == "pad":
        step.pad = parse_size(rest)
    elif word == "chunked":
        step.chunked = True
    elif word == "fill":
        name, _, size = rest.partition(" ")
        step.fills.append((name, parse_size(size)))
    elif word == "csrf":
        step.csrf = False if rest == "omit" else rest
    elif word == "repeat":
        step.repeat = int(rest)
    else:
        raise ParseError("unknown directive %r" % word)
