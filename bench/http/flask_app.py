# The Flask server of bench/http: the same two routes on Flask's signed
# cookie session, served by gunicorn (Debian's python3-flask and gunicorn).
#   gunicorn --chdir bench/http -w 1 -k gthread --threads 8 -b 127.0.0.1:PORT flask_app:app
import os

from flask import Flask, session

app = Flask(__name__)
app.secret_key = os.environ.get("BENCH_SECRET", os.urandom(32).hex())


@app.get("/count")
def count():
    session["visits"] = session.get("visits", 0) + 1
    return str(session["visits"])


@app.get("/read")
def read():
    return str(session.get("visits", 0))
