"""Flask's side of bench/flask.bench.ts: encode + decode of one session cookie.

Reads {"secret", "data" (Flask's tagged JSON), "timestamp", "number", "repeat"}
on stdin and prints one JSON line: the median µs per encode+decode, by the
wall clock and by process CPU time, and the cookie Flask makes for the data at
"timestamp" (so the TS side can check that it writes the same bytes). Timed as
a request does it: the serializer from SecureCookieSessionInterface, inside an
app context, dumps then loads with max_age.
"""

import json
import statistics
import sys
import time
import timeit
from importlib.metadata import version

import itsdangerous.timed
from flask import Flask
from flask.sessions import SecureCookieSessionInterface

params = json.load(sys.stdin)
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
    number, repeat = params["number"], params["repeat"]
    wall = timeit.repeat(encode_decode, number=number, repeat=repeat)
    cpu = timeit.repeat(encode_decode, number=number, repeat=repeat, timer=time.process_time)

print(
    json.dumps(
        {
            "us_per_op": statistics.median(wall) / number * 1e6,
            "cpu_us_per_op": statistics.median(cpu) / number * 1e6,
            "cookie": cookie,
            "flask": version("flask"),
            "python": sys.version.split()[0],
        }
    )
)
