#!/usr/bin/env python3
"""Writes the fuzz targets' seed inputs into corpus/<target>/seed-*: the requests, messages,
keys files, URLs and options that the unit and integration tests use, including the
shapes that once crashed or wedged a node (a batch with one invalid item among its first
64, 63/64/65 items, all invalid, atomic or not). libFuzzer grows the corpus from them
(make fuzz); make test replays all of it. Run again after changing the seeds."""
import json
import pathlib

here = pathlib.Path(__file__).parent
corpus = here / "corpus"

acc_a = "acc_0A1B2C3D4E5F6G7H8I9J0K"
acc_b = "acc_1A1B2C3D4E5F6G7H8I9J0K"
usr = "usr_0A1B2C3D4E5F6G7H8I9J0K"
order = "ord_0A1B2C3D4E5F6G7H8I9J0K"
transfer = {"from_account": acc_a, "to_account": acc_b, "amount": 100, "currency": "USD",
            "description": "rent"}


def batch(items, atomic):
    return {"atomic": atomic, "transfers": items}


def invalid_at(count, position):
    items = [dict(transfer) for _ in range(count)]
    items[position] = dict(transfer, amount=0)
    return items


http_requests = [
    ("POST /v1/users", {"name": "Ada O'Neill", "email": "ada@example.com"}),
    ("POST /v1/users", {"name": "", "email": "no-at"}),
    ("GET /v1/users?limit=2&starting_after=" + usr, None),
    ("GET /v1/users/" + usr, None),
    ("PUT /v1/users/" + usr, {"name": "Zo\u00eb \u652f\u4ed8"}),
    ("DELETE /v1/users/" + usr, None),
    ("POST /v1/accounts", {"user_id": usr, "currency": "USD", "overdraft_limit": 0}),
    ("GET /v1/accounts?user_id=" + usr, None),
    ("GET /v1/accounts/" + acc_a, None),
    ("DELETE /v1/accounts/" + acc_a, None),
    ("POST /v1/accounts/" + acc_a + "/deposits", {"amount": 1000000000000000, "currency": "USD"}),
    ("POST /v1/accounts/" + acc_a + "/withdrawals", {"amount": 1, "currency": "JPY"}),
    ("GET /v1/accounts/" + acc_a + "/entries?limit=100", None),
    ("POST /v1/transfers", transfer),
    ("POST /v1/transfers", dict(transfer, amount=1000000000000001)),
    ("POST /v1/transfers", dict(transfer, amount="100")),
    ("POST /v1/transfers", dict(transfer, to_account=acc_a)),
    ("GET /v1/transfers?account=" + acc_a, None),
    ("GET /v1/transfers/trf_0A1B2C3D4E5F6G7H8I9J0K", None),
    ("POST /v1/transfers/batch", batch(invalid_at(65, 0), False)),
    ("POST /v1/transfers/batch", batch(invalid_at(65, 63), False)),
    ("POST /v1/transfers/batch", batch(invalid_at(64, 63), True)),
    ("POST /v1/transfers/batch", batch([{}] * 65, False)),
    ("POST /v1/transfers/batch", batch([dict(transfer)] * 63, False)),
    ("POST /v1/transfers/batch", batch([], False)),
    ("POST /v1/orders", {"payer_account": acc_a, "payee_account": acc_b, "amount": 250,
                         "currency": "USD", "capture_method": "manual",
                         "authorization_ttl_seconds": 60}),
    ("GET /v1/orders?status=authorized&account=" + acc_a, None),
    ("GET /v1/orders/" + order, None),
    ("PUT /v1/orders/" + order, {"description": "changed"}),
    ("DELETE /v1/orders/" + order, None),
    ("POST /v1/orders/" + order + "/confirm", {}),
    ("POST /v1/orders/" + order + "/capture", {"amount": 100}),
    ("POST /v1/orders/" + order + "/cancel", None),
    ("POST /v1/orders/" + order + "/refunds", {"amount": 50}),
    ("GET /v1/events?after=9223372036854775807&limit=100", None),
    ("GET /v1/events?after=-1", None),
    ("GET /v1/audit", None),
    ("GET /v1/cluster", None),
    ("GET /v1/users?limit=%ZZ", None),
    ("BREW /v1/users", None),
]

stream_messages = [
    {"type": "auth", "token": "k1"},
    {"type": "subscribe", "topics": ["*"]},
    {"type": "subscribe", "topics": [acc_a, order], "since": 0},
    {"type": "subscribe", "topics": ["*"], "since": 9223372036854775807},
    {"type": "subscribe", "topics": ["*"], "since": 9223372036854775808},
    {"type": "subscribe", "topics": ["t%d" % i for i in range(101)]},
    {"type": "unsubscribe"},
]

keys_files = [
    "k1 acme tenant\nk2 admin admin\n",
    "# comment\n\nk1 acme tenant\nk1 globex tenant\n",
    "k1 _system tenant\n",
    "k1 acme root\n",
    "k1\n",
]

storage_urls = [
    "sqlite:settle.db", "sqlite://var/lib/settle.db", "sqlite:", 'sqlite:a" vfs="x',
    "postgresql://settle:secret@127.0.0.1:5432/settle?sslmode=disable",
    "postgres://u@[::1]/db", "postgresql://%zz@host/db", "host=127.0.0.1 dbname=settle",
]

node_options = [
    "--http.listen=127.0.0.1:8080\n--storage.url=sqlite:x.db\n",
    "--idempotency.retention=25h\n--auth.rate-limit=100\n",
    "--idempotency.retention=1h\n",
    "--cluster.listen=0.0.0.0:4000\n",
    "--http.tls-cert=/nonexistent\n",
    "\n[http]\nlisten=\"127.0.0.1:8080\"\n[settle]\ncurrencies=\"USD,EUR\"\n",
]


def write(target, name, text):
    folder = corpus / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / ("seed-" + name)).write_bytes(text.encode("utf-8"))


for index, (line, body) in enumerate(http_requests):
    write("http_request", "%02d" % index,
          line + "\n" + ("" if body is None else json.dumps(body, ensure_ascii=False)))
    if body is not None:
        write("strict_json", "%02d" % index, json.dumps(body, ensure_ascii=False))
write("strict_json", "duplicate", '{"a":1,"a":2}')
write("strict_json", "deep", "[" * 33 + "]" * 33)
for index, message in enumerate(stream_messages):
    write("stream_message", "%02d" % index, json.dumps(message))
for index, text in enumerate(keys_files):
    write("keys_file", "%02d" % index, text)
for index, text in enumerate(storage_urls):
    write("storage_url", "%02d" % index, text)
for index, text in enumerate(node_options):
    write("node_options", "%02d" % index, text)
