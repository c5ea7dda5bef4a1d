"""engine.py - runs test cases: variables, requests, checks, saves.

A case is a name and a list of steps, run in order against one Context;
the first step that fails ends the case with a reason.  Steps come from
the .cases files (see cases.py) or from Python (tenancy.py): both use the
same Context, so every response passes through the same recording of
contract headers and secrets.
"""

import json
import os
import re
import subprocess
import time

from harness.client import Body, ClientError

TIME_RE = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$"
KEY_RE = r"^gmd_[A-Za-z0-9_-]{43}$"
MACROS = {"@time": TIME_RE, "@key": KEY_RE}

STATE_CHANGING = ("POST", "PUT", "PATCH", "DELETE")
SECRET_FIELDS = ("password", "secret", "token", "csrf_token", "api_key")
VAR_RE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_.]*)(?:([+-])(\d+))?\}")
MISSING = object()


# Bytes of request headers above which libmicrohttpd answers by itself.
LIBRARY_HEADER_LIMIT = 16 * 1024

class CheckFailed(Exception):
    """A case failed; the message is the reason printed after it."""


class Context:
    """What the cases of one run share."""

    def __init__(self, client, binary, data_dir, variables):
        self.client = client
        self.binary = binary
        self.data_dir = data_dir
        self.vars = dict(variables)
        self.source = None
        self.secrets = set()
        self.responses = 0
        self.header_faults = []
        self.error_faults = []
        for name, value in variables.items():
            if name.endswith((".password", ".key")):
                self.secrets.add(value)

    # -- variables --------------------------------------------------------

    def subst(self, text, extra=None):
        def one(m):
            name = m.group(1)
            if extra and name in extra:
                value = extra[name]
            elif name == "now":
                return iso_time(time.time() + offset(m))
            elif name in self.vars:
                value = self.vars[name]
            else:
                raise CheckFailed("variable ${%s} is not set (did an "
                                  "earlier case fail?)" % name)
            if m.group(2):
                if not isinstance(value, int):
                    raise CheckFailed("${%s} is not a number" % name)
                n = int(m.group(3))
                value = value + n if m.group(2) == "+" else value - n
            return to_text(value)
        return VAR_RE.sub(one, text)

    def save(self, name, value, secret=False):
        self.vars[name] = value
        if secret and isinstance(value, str) and value:
            self.secrets.add(value)

    # -- requests ---------------------------------------------------------

    def call(self, method, path, auth=None, headers=(), body=None,
             csrf=True, source=None, timeout=None):
        """One request; auth is None, ("key", secret) or
        ("session", cookie, csrf_token)."""
        sent = []
        if auth and auth[0] == "key":
            sent.append(("Authorization", "Bearer " + auth[1]))
        elif auth and auth[0] == "session":
            sent.append(("Cookie", "ganymede_session=" + auth[1]))
            if csrf is True and method in STATE_CHANGING:
                sent.append(("X-CSRF-Token", auth[2]))
        if isinstance(csrf, str):
            sent.append(("X-CSRF-Token", csrf))
        sent.extend(headers)
        if isinstance(body, (dict, list)):
            body = Body(json.dumps(body).encode())
        if body is not None and not any(k.lower() == "content-type"
                                        for (k, _) in sent):
            sent.append(("Content-Type", "application/json"))
        self._note_body_secrets(body)
        try:
            resp = self.client.request(method, path, sent, body,
                                       source or self.source, timeout)
        except ClientError as e:
            raise CheckFailed("%s %s: %s" % (method, path[:80], e)) \
                from None
        header_bytes = sum(len(k) + len(v) + 4 for (k, v) in sent)
        self._observe(method, path, resp, header_bytes)
        return resp

    def _note_body_secrets(self, body):
        if body is None or body.pad_to or len(body.data) > 65536:
            return
        try:
            doc = json.loads(body.data)
        except ValueError:
            return
        if isinstance(doc, dict):
            for field in SECRET_FIELDS:
                if isinstance(doc.get(field), str) and len(doc[field]) > 3:
                    self.secrets.add(doc[field])

    def _observe(self, method, path, resp, header_bytes=0):
        """Every response must carry the headers the contract lists.

        A header block larger than the HTTP library's per-connection memory
        (LIBRARY_HEADER_LIMIT) is refused by libmicrohttpd itself, with its
        own 431 page, before the server sees the request; that answer is
        exempt (docs/KNOWN_LIMITATIONS.md).  A smaller block over the
        server's own cap must get the full answer.
        """
        if resp.status == 431 and header_bytes > LIBRARY_HEADER_LIMIT:
            return
        self.responses += 1
        wants = [("X-Request-Id", r"\S"),
                 ("X-Content-Type-Options", r"^nosniff$"),
                 ("X-Frame-Options", r"^DENY$"),
                 ("Strict-Transport-Security", r"max-age=\d+"),
                 ("Cache-Control", r"no-store")]
        for (name, pattern) in wants:
            values = resp.header(name)
            if len(values) != 1 or not re.search(pattern, values[0], re.I):
                self.header_faults.append("%s %s -> %d: %s %s" % (
                    method, path[:60], resp.status, name,
                    "missing" if not values else repr(values)))
        if resp.status >= 400:
            fault = error_fault(resp)
            if fault:
                self.error_faults.append("%s %s -> %d: %s" % (
                    method, path[:60], resp.status, fault))

    # -- programs ---------------------------------------------------------

    def program(self, argv, stdin=None, timeout=60):
        try:
            done = subprocess.run(argv, input=stdin, capture_output=True,
                                  timeout=timeout, text=True)
        except FileNotFoundError:
            raise CheckFailed("%s: not found" % argv[0]) from None
        except subprocess.TimeoutExpired:
            raise CheckFailed("%s did not finish in %d s"
                              % (" ".join(argv[:3]), timeout)) from None
        return done


def offset(m):
    if not m.group(2):
        return 0
    n = int(m.group(3))
    return n if m.group(2) == "+" else -n


def iso_time(seconds):
    """The contract's time format: 2026-12-03T16:47:12.123Z."""
    whole = int(seconds)
    millis = int((seconds - whole) * 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole)) + \
        ".%03dZ" % millis


def to_text(value):
    if isinstance(value, str):
        return value
    return json.dumps(value)


def snippet(resp, n=200):
    text = resp.body[:n].decode("utf-8", "replace")
    return text + ("..." if len(resp.body) > n else "")


def body_json(resp):
    try:
        return json.loads(resp.body)
    except ValueError:
        raise CheckFailed("answer %d is not JSON: %r" % (resp.status,
                                                         snippet(resp, 80))) \
            from None


# -- JSON paths ----------------------------------------------------------

def lookup(doc, path):
    """Values at a dotted path; '*' fans out over an array.

    Returns a list: one value (or MISSING) without '*', else one per
    element reached.  'len(PATH)' gives the length of what PATH names.
    """
    m = re.fullmatch(r"len\((.*)\)", path)
    if m:
        found = lookup(doc, m.group(1))
        return [len(v) if isinstance(v, (list, dict, str)) else MISSING
                for v in found]
    values = [doc]
    if path in (".", ""):
        return values
    for part in re.findall(r"(?:[^.\[]|\[[^\]]*\])+", path):
        nxt = []
        sel = re.fullmatch(r"([^\[]+)\[([^=\]]+)=([^\]]*)\]", part)
        if sel:
            part = sel.group(1)
        for v in values:
            if part == "*":
                if isinstance(v, list):
                    nxt.extend(v)
            elif isinstance(v, dict):
                nxt.append(v.get(part, MISSING))
            elif isinstance(v, list) and re.fullmatch(r"-?\d+", part):
                i = int(part)
                nxt.append(v[i] if -len(v) <= i < len(v) else MISSING)
            else:
                nxt.append(MISSING)
        if sel:
            nxt = [select(v, sel.group(2), sel.group(3)) for v in nxt]
        values = nxt
    return values


def select(items, key, text):
    """The first object of an array whose key's value reads as text."""
    if not isinstance(items, list):
        return MISSING
    for item in items:
        if isinstance(item, dict) and key in item and \
                to_text(item[key]) == text:
            return item
    return MISSING


def parse_value(text):
    """The right-hand side of a comparison: JSON, else a bare string."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def subset(want, got):
    """want matches got if every member of want is found in got: objects
    may have more members, arrays more elements, in any order."""
    if isinstance(want, dict):
        return isinstance(got, dict) and all(
            k in got and subset(v, got[k]) for (k, v) in want.items())
    if isinstance(want, list):
        return isinstance(got, list) and all(
            any(subset(w, g) for g in got) for w in want)
    return want == got and type(want) is type(got)


def kind(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return {str: "string", list: "array", dict: "object"}[type(value)]


def number(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+(\.\d+)?", value):
        return float(value)
    return None


def compare(what, value, op, rhs):
    """Check one value; raise CheckFailed naming what was looked at."""
    shown = "%s = %s" % (what, "missing" if value is MISSING
                         else json.dumps(value)[:160])
    if op == "exists":
        ok = value is not MISSING
    elif op == "absent":
        ok = value is MISSING
    elif value is MISSING:
        raise CheckFailed("%s is missing" % what)
    elif op in ("==", "!="):
        want = parse_value(rhs)
        same = value == want and type(value) is type(want) or \
            (kind(value) == kind(want) == "number" and value == want)
        ok = same if op == "==" else not same
    elif op in ("~", "!~"):
        pattern = MACROS.get(rhs, rhs)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            raise CheckFailed("%s is not a string" % shown)
        found = re.search(pattern, value) is not None
        ok = found if op == "~" else not found
    elif op in ("<", "<=", ">", ">="):
        a, b = number(value), number(parse_value(rhs))
        if a is None or b is None:
            raise CheckFailed("%s: not comparable with %s" % (shown, rhs))
        ok = {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]
    elif op in ("has", "lacks"):
        if not isinstance(value, list):
            raise CheckFailed("%s is not an array" % shown)
        want = parse_value(rhs)
        found = any(subset(want, item) for item in value)
        ok = found if op == "has" else not found
    elif op == "type":
        ok = kind(value) == rhs
    elif op in ("descending", "ascending"):
        seq = value if isinstance(value, list) else []
        pairs = list(zip(seq, seq[1:]))
        ok = len(seq) >= 2 and all(
            (a > b if op == "descending" else a < b) for (a, b) in pairs)
    else:
        raise CheckFailed("unknown operator %r" % op)
    if not ok:
        raise CheckFailed("%s, wanted %s %s" % (shown, op, rhs or ""))


def check_json(doc, path, op, rhs):
    values = lookup(doc, path)
    if op in ("descending", "ascending") and "*" in path:
        compare(path, values, op, rhs)
        return
    if "*" in path and not values:
        raise CheckFailed("%s matched nothing" % path)
    for v in values:
        compare(path, v, op, rhs)


def error_fault(resp):
    """What is wrong with an error answer's shape, or None.

    The contract: {"error":{"code":"STABLE_CODE","message":"lower-case
    text"}}; read as an upper-case code and a message that does not start
    with a capital letter nor end with a period.
    """
    try:
        doc = json.loads(resp.body)
    except ValueError:
        return "body is not JSON: %r" % resp.body[:60]
    err = doc.get("error") if isinstance(doc, dict) else None
    if not isinstance(err, dict):
        return "no error object"
    code, msg = err.get("code"), err.get("message")
    if not isinstance(code, str) or not re.fullmatch(r"[A-Z][A-Z0-9_]*",
                                                     code):
        return "code %r is not a stable upper-case code" % (code,)
    if not isinstance(msg, str) or not msg.strip():
        return "no message"
    if msg[0].isupper() or msg.endswith("."):
        return "message %r is not lower-case text without a trailing " \
            "period" % msg
    return None


def check_error(resp, code):
    """The contract's error shape: {"error":{"code","message"}}; the
    message's style is judged for all answers at once (error_fault)."""
    doc = body_json(resp)
    err = doc.get("error") if isinstance(doc, dict) else None
    if not isinstance(err, dict):
        raise CheckFailed("answer %d has no error object: %s"
                          % (resp.status, snippet(resp)))
    if err.get("code") != code:
        raise CheckFailed("wanted error %s, got %d %s (%r)" % (
            code, resp.status, err.get("code"), err.get("message")))
    msg = err.get("message")
    if not isinstance(msg, str) or not msg:
        raise CheckFailed("error %s has no message" % code)


def check_status(resp, wanted):
    """wanted is like '200', '4xx' or '401|404'."""
    for alt in wanted.split("|"):
        if re.fullmatch(alt.replace("x", r"\d"), str(resp.status)):
            return
    raise CheckFailed("wanted status %s, got %d %s" % (wanted, resp.status,
                                                       snippet(resp)))


def answer_of(resp):
    """Status, error code and message: what must not leak existence."""
    try:
        err = json.loads(resp.body).get("error", {})
    except (ValueError, AttributeError):
        err = {}
    return "%d %s %s" % (resp.status, err.get("code"), err.get("message"))


def session_of(resp):
    """The ganymede_session cookie value set by a response, or None."""
    for value in resp.header("Set-Cookie"):
        m = re.match(r"\s*ganymede_session=([^;]*)", value)
        if m and m.group(1):
            return m.group(1)
    return None


def find_binary(path):
    if not os.path.isfile(path) or not os.access(path, os.X_OK):
        raise CheckFailed("binary %s is not an executable file" % path)
    return os.path.abspath(path)
