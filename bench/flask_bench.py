"""Flask's side of bench/flask.bench.ts: encode + decode of one session cookie.

A worker that answers one JSON line per line on stdin:

  {"secret", "data" (Flask's tagged JSON), "timestamp"}
      -> {"cookie", "flask", "python"}: the cookie Flask makes for the data at
         "timestamp" (so the TS side can check that it writes the same bytes)
  {"number": n}
      -> {"us_per_op", "cpu_us_per_op"}: one timed batch of n encode + decode,
         by the wall clock and by process CPU time

The batches come one at a time so that bench/flask.bench.ts can time its own
side between them: both sides then share the machine's load. Timed as a
request does it: the serializer from SecureCookieSessionInterface, inside an
app context, dumps then loads with max_age. The garbage collector is off
during a batch, as timeit does.
"""

import gc
import json
import sys
import time
from importlib.metadata import version

import itsdangerous.timed
from flask import Flask
from flask.sessions import SecureCookieSessionInterface


def reply(answer):
    sys.stdout.write(json.dumps(answer) + "\n")
    sys.stdout.flush()


params = json.loads(sys.stdin.readline())
app = Flask("bench")
app.secret_key = params["secret"]
interface = SecureCookieSessionInterface()
serializer = interface.get_signing_serializer(app)
max_age = int(app.permanent_session_lifetime.total_seconds())

with app.app_context():
    data = interface.serializer.loads(params["data"])

    real_clock = itsdangerous.timed.TimestampSigner.get_timestamp
    itsdangerous.timed.TimestampSigner.get_timestamp = lambda self: params["timestamp"]
    cookie = serializer.dumps(data)
    itsdangerous.timed.TimestampSigner.get_timestamp = real_clock

    def encode_decode():
        return serializer.loads(serializer.dumps(data), max_age=max_age)

    assert encode_decode() == data
    reply({"cookie": cookie, "flask": version("flask"), "python": sys.version.split()[0]})

    for line in sys.stdin:
        number = json.loads(line)["number"]
        enabled = gc.isenabled()
        gc.disable()
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(number):
            encode_decode()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        if enabled:
            gc.enable()
        reply({"us_per_op": wall / number * 1e6, "cpu_us_per_op": cpu / number * 1e6})
