#!/usr/bin/env python3
"""gen.py - a deterministic synthetic estate for bench/ingest.

Writes OUT/entities.jsonl and OUT/relationships.jsonl, one compact JSON
object a line, in the shape the integration SDK uploads (underscore
metadata, flat properties, tag.X keys, _rawData apart).  The same seed and
count always give the same bytes.  Python standard library only: it runs
once per benchmark, outside every measured window.

usage: gen.py OUT N [SEED]
"""
import json
import random
import sys

# Share of the non-account entities per type, and the data-model class.
TYPES = [
    ("user", "User", 30),
    ("group", "UserGroup", 3),
    ("role", "AccessRole", 7),
    ("host", "Host", 25),
    ("security_group", "Firewall", 5),
    ("bucket", "DataStore", 10),
    ("finding", "Finding", 20),
]

# Two outgoing edges per entity besides the account's HAS: (verb, target
# type, reversed).  A reversed edge points from the target to the entity.
EDGES = {
    "user": [("ASSIGNED", "role", False), ("HAS", "group", True)],
    "group": [("ASSIGNED", "role", False), ("HAS", "user", False)],
    "role": [("ALLOWS", "bucket", False), ("ALLOWS", "bucket", False)],
    "host": [("PROTECTS", "security_group", True),
             ("USES", "bucket", False)],
    "security_group": [("PROTECTS", "host", False),
                       ("PROTECTS", "host", False)],
    "bucket": [("HAS", "finding", False), ("CONTAINS", "bucket", True)],
    "finding": [("HAS", "host", True), ("IDENTIFIED", "user", True)],
}

REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1",
           "ap-southeast-2"]
ENVS = ["prod", "staging", "dev", "sandbox"]
TEAMS = ["platform", "payments", "identity", "data", "edge", "security"]
SEVERITIES = ["low", "medium", "high", "critical"]
BASE_MS = 1704067200000  # 2024-01-01


def key_of(kind, i):
    return "synth-%s:%08d" % (kind, i)


def counts_for(n):
    accounts = max(1, n // 10000)
    rest = max(0, n - accounts)
    total = sum(share for _, _, share in TYPES)
    counts = {k: rest * share // total for k, _, share in TYPES}
    counts["user"] += rest - sum(counts.values())
    return accounts, counts


def ip(r):
    return "10.%d.%d.%d" % (r.randrange(256), r.randrange(256),
                            r.randrange(1, 255))


def props_for(r, kind, i, account):
    """Properties shaped like an AWS/IdP integration's, a few hundred
    bytes each."""
    p = {
        "id": "%s-%08x" % (kind[:3], r.getrandbits(32)),
        "createdOn": BASE_MS + r.randrange(365 * 86400) * 1000,
        "active": r.random() < 0.95,
        "tag.Environment": r.choice(ENVS),
        "tag.Team": r.choice(TEAMS),
        "accountId": "%012d" % account,
        "region": r.choice(REGIONS),
    }
    if kind == "user":
        p.update(username="user%d" % i, email="user%d@example.com" % i,
                 mfaEnabled=r.random() < 0.8,
                 passwordLastUsed=BASE_MS + r.randrange(10**10))
    elif kind == "group":
        p.update(path="/teams/", memberCount=r.randrange(2, 200))
    elif kind == "role":
        p.update(path="/service-role/", maxSessionDuration=3600,
                 trustPolicy="arn:aws:iam::%012d:root" % account)
    elif kind == "host":
        p.update(instanceType=r.choice(["t3.micro", "m5.large",
                                        "c6g.xlarge"]),
                 privateIpAddress=ip(r), platform="linux",
                 state=r.choice(["running", "stopped"]),
                 imageId="ami-%017x" % r.getrandbits(68))
    elif kind == "security_group":
        p.update(vpcId="vpc-%08x" % r.getrandbits(32),
                 ingressPorts=[22, 443, r.randrange(1024, 65535)])
    elif kind == "bucket":
        p.update(encrypted=r.random() < 0.9, versioningEnabled=True,
                 public=r.random() < 0.03,
                 classification=r.choice(["internal", "confidential"]))
    elif kind == "finding":
        p.update(severity=r.choice(SEVERITIES),
                 numericSeverity=r.randrange(1, 10),
                 open=r.random() < 0.6,
                 category="vulnerability",
                 cve="CVE-2024-%05d" % r.randrange(100000),
                 description="Package with a known vulnerability on "
                             "instance %d" % i)
    return p


def entity(r, kind, klass, i, account):
    name = "%s %d" % (kind.replace("_", " "), i)
    obj = {"_key": key_of(kind, i), "_type": "synth_" + kind,
           "_class": [klass], "name": name, "displayName": name,
           "webLink": "https://console.example.com/%s/%d" % (kind, i)}
    obj.update(props_for(r, kind, i, account))
    obj["_rawData"] = [{"name": "default",
                        "rawData": {"id": obj["id"], "arn":
                                    "arn:aws:%s:::%d" % (kind, i)}}]
    return obj


def relationship(from_key, verb, to_key, from_kind, to_kind, tag):
    """An edge; tag names the rule that drew it, so keys are unique."""
    return {"_key": "%s|%s|%s|%s" % (from_key, verb.lower(), to_key, tag),
            "_type": "synth_%s_%s_%s" % (from_kind, verb.lower(), to_kind),
            "_class": verb, "_fromEntityKey": from_key,
            "_toEntityKey": to_key}


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit("usage: gen.py OUT N [SEED]")
    out, n = sys.argv[1], int(sys.argv[2])
    r = random.Random(int(sys.argv[3]) if len(sys.argv) == 4 else 42)
    accounts, counts = counts_for(n)
    dump = json.JSONEncoder(separators=(",", ":")).encode

    with open(out + "/entities.jsonl", "w") as ents, \
            open(out + "/relationships.jsonl", "w") as rels:
        for a in range(accounts):
            e = entity(r, "account", "Account", a, a)
            ents.write(dump(e) + "\n")
        for kind, klass, _ in TYPES:
            for i in range(counts[kind]):
                account = i % accounts
                ents.write(dump(entity(r, kind, klass, i, account)) + "\n")
                me = key_of(kind, i)
                rels.write(dump(relationship(
                    key_of("account", account), "HAS", me, "account",
                    kind, "a")) + "\n")
                for j, (verb, other, rev) in enumerate(EDGES[kind], 1):
                    if counts[other] == 0:
                        continue
                    them = key_of(other, r.randrange(counts[other]))
                    if rev:
                        rel = relationship(them, verb, me, other, kind,
                                           "%s%d" % (kind, j))
                    else:
                        rel = relationship(me, verb, them, kind, other,
                                           "%s%d" % (kind, j))
                    rels.write(dump(rel) + "\n")


if __name__ == "__main__":
    main()
