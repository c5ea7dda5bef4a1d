#!/usr/bin/env python3
"""push.py - push a generated estate through the sync API as the
integration SDK does, and time it.

Python with one thread and one keep-alive http.client connection per
concurrent request: quick to write, standard library only, and the
client's share of the work is small (the bodies are joined from the
generated lines before the clock starts, and TLS and socket I/O run in C
with the GIL released), so the server is what gets measured.

One job (integration-managed, instance id), entities then relationships
in batches of 250 with six requests in flight, then finalize.  The clock
runs from the first upload to the finalize answer.  Prints one line:
  entities=E relationships=R seconds=S eps=.. rels_per_s=..
rels_per_s is R over the same end-to-end window.

usage: push.py DIR HOST PORT CERT INSTANCE   (KEY, ACCOUNT in environment)
"""
import http.client
import json
import os
import ssl
import sys
import threading
import time

BATCH = 250
CONCURRENCY = 6
# Per request; finalize of a large job is one long request.
TIMEOUT = 3600


def read_lines(path):
    with open(path, "rb") as f:
        return [line.rstrip(b"\n") for line in f if line.strip()]


def bodies(lines, field):
    head = b'{"' + field.encode() + b'":['
    return [head + b",".join(lines[i:i + BATCH]) + b"]}"
            for i in range(0, len(lines), BATCH)]


class Client:
    def __init__(self, host, port, ctx, headers):
        self.conn = http.client.HTTPSConnection(host, port, context=ctx,
                                                timeout=TIMEOUT)
        self.headers = headers

    def post(self, path, body):
        self.conn.request("POST", path, body=body, headers=self.headers)
        resp = self.conn.getresponse()
        data = resp.read()
        if resp.status // 100 != 2:
            raise RuntimeError("POST %s answered %d: %s"
                               % (path, resp.status, data[:300]))
        return data


def upload_all(clients, path, batches):
    """Send every batch, CONCURRENCY at a time; raise on the first
    failure."""
    next_i = [0]
    lock = threading.Lock()
    errors = []

    def work(client):
        while not errors:
            with lock:
                i = next_i[0]
                next_i[0] += 1
            if i >= len(batches):
                return
            try:
                client.post(path, batches[i])
            except Exception as e:  # noqa: BLE001 - reported below
                errors.append(e)

    threads = [threading.Thread(target=work, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]


def main():
    if len(sys.argv) != 6:
        sys.exit("usage: push.py DIR HOST PORT CERT INSTANCE")
    d, host, port, cert, instance = sys.argv[1:]
    ctx = ssl.create_default_context(cafile=cert)
    headers = {"Authorization": "Bearer " + os.environ["KEY"],
               "JupiterOne-Account": os.environ["ACCOUNT"],
               "Content-Type": "application/json"}

    ents = read_lines(d + "/entities.jsonl")
    rels = read_lines(d + "/relationships.jsonl")
    ent_bodies = bodies(ents, "entities")
    rel_bodies = bodies(rels, "relationships")
    clients = [Client(host, int(port), ctx, headers)
               for _ in range(CONCURRENCY)]

    job = json.loads(clients[0].post(
        "/persister/synchronization/jobs",
        json.dumps({"source": "integration-managed",
                    "integrationInstanceId": instance}).encode()))["job"]
    base = "/persister/synchronization/jobs/" + job["id"]

    t0 = time.monotonic()
    upload_all(clients, base + "/entities", ent_bodies)
    t1 = time.monotonic()
    upload_all(clients, base + "/relationships", rel_bodies)
    t2 = time.monotonic()
    answer = json.loads(clients[0].post(
        base + "/finalize", b'{"partialDatasets":{"types":[]}}'))["job"]
    t3 = time.monotonic()

    if answer.get("status") != "FINISHED":
        sys.exit("finalize answered status %s" % answer.get("status"))
    secs = t3 - t0
    print("push: entities %.2fs relationships %.2fs finalize %.2fs; "
          "created %s/%s updated %s/%s deleted %s/%s"
          % (t1 - t0, t2 - t1, t3 - t2,
             answer.get("numEntitiesCreated"),
             answer.get("numRelationshipsCreated"),
             answer.get("numEntitiesUpdated"),
             answer.get("numRelationshipsUpdated"),
             answer.get("numEntitiesDeleted"),
             answer.get("numRelationshipsDeleted")), file=sys.stderr)
    print("entities=%d relationships=%d seconds=%.3f eps=%.0f "
          "rels_per_s=%.0f" % (len(ents), len(rels), secs,
                               len(ents) / secs, len(rels) / secs))


if __name__ == "__main__":
    main()
