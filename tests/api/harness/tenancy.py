"""tenancy.py - the tenancy family, generated: no account reaches another.

For every authenticated endpoint of the contract this makes cases that
call it

  - as account B's administrator (API key, and session with its CSRF
    token) naming account A's ids in the path: each must be 404 NOT_FOUND
    and answer exactly as for an id that exists nowhere;
  - as B's administrator with an account header (JupiterOne-Account or
    LifeOmic-Account) naming account A, and as A's key with a header naming
    account B, using ids the caller really owns so that only the header is
    wrong: each must be 401 UNAUTHENTICATED, exactly as for a header
    naming no account at all;
  - with no credentials: 401 UNAUTHENTICATED.

Then it checks that A's and B's objects are as they were before.
"""

import json
import random
import string

from harness.cases import Case
from harness.engine import CheckFailed, body_json

FAMILY = "tenancy"

# Every authenticated endpoint of the contract: method, path and a body
# that would be accepted.  Path fields: {account} {user} {group} {member}
# {invitation} {apikey} {entity} {relationship} {job}.
ENDPOINTS = [
    ("GET", "/api/v1/me", None),
    ("GET", "/api/v1/accounts", None),
    ("GET", "/api/v1/accounts/{account}", None),
    ("PATCH", "/api/v1/accounts/{account}", {"name": "Probe {n}"}),
    ("GET", "/api/v1/users", None),
    ("GET", "/api/v1/users/{user}", None),
    ("DELETE", "/api/v1/users/{user}", None),
    ("POST", "/api/v1/invitations", {"email": "probe-{n}@example.com"}),
    ("GET", "/api/v1/invitations", None),
    ("DELETE", "/api/v1/invitations/{invitation}", None),
    ("GET", "/api/v1/groups", None),
    ("POST", "/api/v1/groups", {"name": "probe-{n}"}),
    ("GET", "/api/v1/groups/{group}", None),
    ("PATCH", "/api/v1/groups/{group}", {"description": "probe {n}"}),
    ("DELETE", "/api/v1/groups/{group}", None),
    ("GET", "/api/v1/groups/{group}/members", None),
    ("PUT", "/api/v1/groups/{group}/members/{user}", None),
    ("DELETE", "/api/v1/groups/{group}/members/{member}", None),
    ("GET", "/api/v1/apikeys", None),
    ("GET", "/api/v1/apikeys?all=true", None),
    ("POST", "/api/v1/apikeys", {"name": "probe-{n}"}),
    ("DELETE", "/api/v1/apikeys/{apikey}", None),
    ("GET", "/api/v1/support-user", None),
    ("PUT", "/api/v1/support-user", None),
    ("DELETE", "/api/v1/support-user", None),
    ("GET", "/api/v1/audit?limit=5", None),
    ("GET", "/api/v1/entities", None),
    ("POST", "/api/v1/entities", {"_key": "probe-{n}",
                                  "_type": "tenancy_probe",
                                  "_class": "Host"}),
    ("GET", "/api/v1/entities/{entity}", None),
    ("PATCH", "/api/v1/entities/{entity}", {"probe": "{n}"}),
    ("DELETE", "/api/v1/entities/{entity}", None),
    ("DELETE", "/api/v1/entities/{entity}?hard=true", None),
    ("GET", "/api/v1/entities/{entity}/versions", None),
    ("GET", "/api/v1/relationships", None),
    ("POST", "/api/v1/relationships", {"_key": "probe-{n}",
                                       "_type": "tenancy_probe_has",
                                       "_class": "HAS",
                                       "_fromEntityKey": "probe-a",
                                       "_toEntityKey": "probe-b"}),
    ("GET", "/api/v1/relationships/{relationship}", None),
    ("PATCH", "/api/v1/relationships/{relationship}", {"probe": "{n}"}),
    ("DELETE", "/api/v1/relationships/{relationship}", None),
    ("DELETE", "/api/v1/relationships/{relationship}?hard=true", None),
    ("GET", "/api/v1/relationships/{relationship}/versions", None),
    ("POST", "/api/v1/graph/bulk", {"entities": [{"_key": "probe-{n}",
                                                  "_type": "tenancy_probe",
                                                  "_class": "Host"}]}),
    ("POST", "/persister/synchronization/jobs", {"source": "api",
                                                 "scope": "probe-{n}"}),
    ("GET", "/persister/synchronization/jobs/{job}", None),
    ("POST", "/persister/synchronization/jobs/{job}/entities",
     {"entities": [{"_key": "probe-{n}", "_type": "tenancy_probe",
                    "_class": "Host"}]}),
    ("POST", "/persister/synchronization/jobs/{job}/relationships",
     {"relationships": []}),
    ("POST", "/persister/synchronization/jobs/{job}/upload",
     {"entities": [], "deleteEntities": [{"_key": "probe-{n}"}]}),
    ("POST", "/persister/synchronization/jobs/{job}/events",
     {"events": [{"name": "probe-{n}"}]}),
    ("POST", "/persister/synchronization/jobs/{job}/finalize",
     {"partialDatasets": {"types": []}}),
    ("POST", "/persister/synchronization/jobs/{job}/abort",
     {"reason": "probe {n}"}),
    # Last: if the account header were ignored, this would end B's session.
    ("POST", "/api/v1/logout", None),
]

ACCOUNT_HEADERS = ("JupiterOne-Account", "LifeOmic-Account")
PROBES = {"n": 0}


# -- helpers --------------------------------------------------------------

def forge(real):
    """An id shaped like real (same prefix, length and character classes)
    that names nothing."""
    prefix, sep, rest = real.rpartition("_")
    head = prefix + sep
    hexish = all(c in "0123456789abcdef-" for c in rest.lower())
    out = []
    for c in rest:
        if c == "-" or not c.isalnum():
            out.append(c)
        elif hexish and c in "0123456789abcdef":
            out.append(random.choice("0123456789abcdef"))
        elif hexish and c in "ABCDEF":
            out.append(random.choice("0123456789ABCDEF"))
        elif c.isdigit():
            out.append(random.choice(string.digits))
        elif c.isupper():
            out.append(random.choice(string.ascii_uppercase))
        else:
            out.append(random.choice(string.ascii_lowercase))
    made = head + "".join(out)
    return made if made != real else forge(real)


def expect(resp, status, code, what):
    if resp.status != status:
        raise CheckFailed("%s: wanted %d %s, got %d %s" % (
            what, status, code, resp.status, resp.body[:160]))
    doc = body_json(resp)
    err = doc.get("error") if isinstance(doc, dict) else None
    got = err.get("code") if isinstance(err, dict) else None
    if got != code:
        raise CheckFailed("%s: wanted error %s, got %r" % (what, code, got))


def same_answer(real, fake, what):
    if real.status != fake.status or real.body != fake.body:
        raise CheckFailed("%s: existing id answered %d %s but a made-up id "
                          "answered %d %s" % (what, real.status,
                                              real.body[:120], fake.status,
                                              fake.body[:120]))


def need(ctx, name):
    if name not in ctx.vars:
        raise CheckFailed("tenancy setup did not finish (no %s)" % name)
    return ctx.vars[name]


def ok(resp, status, what):
    if resp.status != status:
        raise CheckFailed("%s: wanted %d, got %d %s" % (
            what, status, resp.status, resp.body[:160]))
    return body_json(resp)


def body_for(template):
    if template is None:
        return None
    PROBES["n"] += 1
    text = json.dumps(template).replace("{n}", "t%d-%s" % (
        PROBES["n"], random.getrandbits(32)))
    return json.loads(text)


def fill(path, ids):
    for (field, value) in ids.items():
        path = path.replace("{%s}" % field, value)
    return path


def fields(path):
    return [f for f in ("account", "user", "group", "member", "invitation",
                        "apikey", "entity", "relationship", "job")
            if "{%s}" % f in path]


# -- setup and snapshots ----------------------------------------------------

def invite_member(ctx, key, email, password):
    doc = ok(ctx.call("POST", "/api/v1/invitations", ("key", key),
                      body={"email": email}), 201, "invite " + email)
    doc = ok(ctx.call("POST", "/api/v1/invitations/accept",
                      body={"token": doc["token"], "password": password}),
             200, "accept " + email)
    return doc["user"]["id"]


def make_objects(ctx, side):
    """A group with a member, a pending invitation and a spare key."""
    key = need(ctx, side + ".key")
    run = ctx.vars["run"]
    ids = {"account": need(ctx, side + ".account")}
    me = ok(ctx.call("GET", "/api/v1/me", ("key", key)), 200, "me")
    ids["admin"] = me["user"]["id"]
    ids["user"] = invite_member(ctx, key, "ten-%s-%s@example.com" % (
        side, run), "Cobalt-Meadow-%s4!" % side.upper())
    doc = ok(ctx.call("POST", "/api/v1/groups", ("key", key),
                      body={"name": "ten-%s-%s" % (side, run)}), 201, "group")
    ids["group"] = doc["group"]["id"]
    ok(ctx.call("PUT", "/api/v1/groups/%s/members/%s" % (
        ids["group"], ids["user"]), ("key", key)), 200, "add member")
    ids["member"] = ids["user"]
    doc = ok(ctx.call("POST", "/api/v1/invitations", ("key", key),
                      body={"email": "ten-pending-%s-%s@example.com" % (
                          side, run)}), 201, "invitation")
    ids["invitation"] = doc["invitation"]["id"]
    doc = ok(ctx.call("POST", "/api/v1/apikeys", ("key", key),
                      body={"name": "ten-%s-%s" % (side, run)}), 201, "key")
    ids["apikey"] = doc["api_key"]["id"]
    make_graph(ctx, key, side, ids)
    ctx.vars["t.%s.ids" % side] = ids


def make_graph(ctx, key, side, ids):
    """Two entities, a relationship between them, and a sync job."""
    run = ctx.vars["run"]
    made = []
    for n in ("1", "2"):
        doc = ok(ctx.call("POST", "/api/v1/entities", ("key", key), body={
            "_key": "ten-%s-%s-%s" % (side, n, run),
            "_type": "tenancy_%s" % side, "_class": "Host",
            "owner": side}), 201, "entity")
        made.append(doc["entity"]["_id"])
    ids["entity"], ids["entity2"] = made
    doc = ok(ctx.call("POST", "/api/v1/relationships", ("key", key), body={
        "_key": "ten-%s-%s" % (side, run), "_type": "tenancy_%s_has" % side,
        "_class": "HAS", "_fromEntityId": made[0], "_toEntityId": made[1]}),
        201, "relationship")
    ids["relationship"] = doc["relationship"]["_id"]
    doc = ok(ctx.call("POST", "/persister/synchronization/jobs", ("key", key),
                      body={"source": "api",
                            "scope": "ten-%s-%s" % (side, run)}),
             200, "synchronization job")
    ids["job"] = doc["job"]["id"]


def snapshot(ctx, side):
    """What an account looks like to its administrator, minus the
    last_used_at stamps that using a key moves."""
    key = need(ctx, side + ".key")
    ids = need(ctx, "t.%s.ids" % side)
    seen = {}
    for path in ("/api/v1/users", "/api/v1/groups", "/api/v1/invitations",
                 "/api/v1/apikeys?all=true", "/api/v1/support-user",
                 "/api/v1/accounts/" + ids["account"],
                 "/api/v1/groups/%s/members" % ids["group"],
                 "/api/v1/entities?limit=1000&deleted=true",
                 "/api/v1/relationships?limit=1000&deleted=true",
                 "/api/v1/entities/%s/versions" % ids["entity"],
                 "/api/v1/relationships/%s/versions"
                 % ids["relationship"],
                 "/persister/synchronization/jobs/" + ids["job"]):
        doc = ok(ctx.call("GET", path, ("key", key)), 200, "GET " + path)
        seen[path] = json.loads(json.dumps(doc), object_hook=_no_stamps)
    return seen


def _no_stamps(obj):
    obj.pop("last_used_at", None)
    return obj


def setup(ctx):
    make_objects(ctx, "a")
    make_objects(ctx, "b")
    doc = ctx.call("POST", "/api/v1/login", body={
        "login": need(ctx, "b.login"), "password": need(ctx, "b.password")})
    ok(doc, 200, "login as B's administrator")
    cookie = [v for v in doc.header("Set-Cookie")
              if v.startswith("ganymede_session=")]
    if not cookie:
        raise CheckFailed("login as B's administrator set no cookie")
    value = cookie[0].split(";")[0].split("=", 1)[1]
    ctx.vars["t.b.session"] = ("session", value, body_json(doc)["csrf_token"])
    ctx.vars["t.before.a"] = snapshot(ctx, "a")
    ctx.vars["t.before.b"] = snapshot(ctx, "b")


# -- the cases ----------------------------------------------------------------

def b_callers(ctx):
    return [("key", ("key", need(ctx, "b.key"))),
            ("session", need(ctx, "t.b.session"))]


def foreign_ids_case(method, path, template):
    """B's administrator names A's ids: 404, as for ids that do not exist."""
    def run(ctx):
        a_ids = need(ctx, "t.a.ids")
        b_ids = need(ctx, "t.b.ids")
        variants = [dict(a_ids)]
        if "{group}" in path and ("{user}" in path or "{member}" in path):
            variants.append(dict(a_ids, group=b_ids["group"]))
            variants.append(dict(b_ids, group=a_ids["group"]))
        for (how, auth) in b_callers(ctx):
            for real in variants:
                fake = dict(real)
                for f in fields(path):
                    if real[f] == a_ids[f]:
                        fake[f] = forge(real[f])
                what = "%s %s as B's %s" % (method, fill(path, real), how)
                r1 = ctx.call(method, fill(path, real), auth,
                              body=body_for(template))
                expect(r1, 404, "NOT_FOUND", what)
                r2 = ctx.call(method, fill(path, fake), auth,
                              body=body_for(template))
                same_answer(r1, r2, what)
    return run


def header_case(method, path, template, caller, foreign):
    """A header naming an account the caller is not in: 401, as for a
    header naming no account."""
    def run(ctx):
        own = need(ctx, "t.%s.ids" % caller)
        if caller == "b":
            callers = b_callers(ctx)
        else:
            callers = [("key", ("key", need(ctx, "a.key")))]
        target = need(ctx, foreign + ".account")
        nowhere = forge(target)
        for (how, auth) in callers:
            for header in ACCOUNT_HEADERS:
                what = "%s %s as %s's %s with %s: %s" % (
                    method, path, caller.upper(), how, header,
                    foreign.upper())
                r1 = ctx.call(method, fill(path, own), auth,
                              [(header, target)], body_for(template))
                expect(r1, 401, "UNAUTHENTICATED", what)
                r2 = ctx.call(method, fill(path, own), auth,
                              [(header, nowhere)], body_for(template))
                same_answer(r1, r2, what)
    return run


def anonymous_case(method, path, template):
    def run(ctx):
        ids = need(ctx, "t.a.ids")
        resp = ctx.call(method, fill(path, ids), None,
                        body=body_for(template))
        expect(resp, 401, "UNAUTHENTICATED", "%s %s" % (method, path))
    return run


def login_case(ctx):
    """Naming account A when logging in as B's administrator."""
    a_account = need(ctx, "a.account")
    body = {"login": need(ctx, "b.login"), "password": need(ctx, "b.password")}
    r1 = ctx.call("POST", "/api/v1/login",
                  body=dict(body, account_id=a_account))
    expect(r1, 401, "INVALID_CREDENTIALS", "login naming account A")
    if r1.header("Set-Cookie"):
        raise CheckFailed("a refused login set a cookie")
    r2 = ctx.call("POST", "/api/v1/login",
                  body=dict(body, account_id=forge(a_account)))
    same_answer(r1, r2, "login naming account A")


def lists_case(ctx):
    """B's lists show none of A's objects."""
    a = need(ctx, "t.a.ids")
    key = ("key", need(ctx, "b.key"))
    for (path, field, ids) in (
            ("/api/v1/accounts", "accounts", [a["account"]]),
            ("/api/v1/users", "users", [a["admin"], a["user"]]),
            ("/api/v1/groups", "groups", [a["group"]]),
            ("/api/v1/invitations", "invitations", [a["invitation"]]),
            ("/api/v1/apikeys?all=true", "api_keys", [a["apikey"]]),
            ("/api/v1/entities?limit=1000&deleted=true", "entities",
             [a["entity"], a["entity2"]]),
            ("/api/v1/relationships?limit=1000&deleted=true",
             "relationships", [a["relationship"]])):
        doc = ok(ctx.call("GET", path, key), 200, "GET " + path)
        items = doc.get(field)
        if not isinstance(items, list):
            raise CheckFailed("GET %s: no %s array" % (path, field))
        seen = {i.get("id", i.get("_id")) for i in items
                if isinstance(i, dict)}
        leaked = [i for i in ids if i in seen]
        if leaked:
            raise CheckFailed("GET %s as B lists A's %s" % (path, leaked))


def unchanged_case(side):
    def run(ctx):
        before = need(ctx, "t.before." + side)
        after = snapshot(ctx, side)
        for path in before:
            if before[path] != after[path]:
                raise CheckFailed("GET %s changed: before %s, after %s" % (
                    path, json.dumps(before[path])[:200],
                    json.dumps(after[path])[:200]))
    return run


def session_alive_case(ctx):
    auth = need(ctx, "t.b.session")
    doc = ok(ctx.call("GET", "/api/v1/me", auth), 200,
             "B's session after the refused logout")
    if doc.get("account", {}).get("id") != need(ctx, "b.account"):
        raise CheckFailed("B's session answers for account %r"
                          % doc.get("account"))


def make(name, func):
    case = Case(FAMILY, name, 0)
    case.func = func
    return case


def cases():
    out = [make("setup: objects in both accounts, B's session, snapshots",
                setup)]
    for (method, path, template) in ENDPOINTS:
        if fields(path):
            out.append(make("%s %s as B's administrator with A's ids"
                            % (method, path),
                            foreign_ids_case(method, path, template)))
    for (method, path, template) in ENDPOINTS:
        out.append(make("%s %s as B's administrator with A's account "
                        "header" % (method, path),
                        header_case(method, path, template, "b", "a")))
        out.append(make("%s %s with A's key and B's account header"
                        % (method, path),
                        header_case(method, path, template, "a", "b")))
        out.append(make("%s %s without credentials" % (method, path),
                        anonymous_case(method, path, template)))
    out.append(make("login as B's administrator naming account A",
                    login_case))
    out.append(make("B's lists show none of A's objects", lists_case))
    out.append(make("A's objects are unchanged", unchanged_case("a")))
    out.append(make("B's objects are unchanged", unchanged_case("b")))
    out.append(make("B's session survives the refused logout",
                    session_alive_case))
    return out
