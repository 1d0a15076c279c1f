"""The Flask half of the shared-login example.

A plain Flask app with Flask's default cookie session: nothing here knows
about tessera. The tessera app (server.ts) reads and writes the same cookie.

    FLASK_SECRET_KEY=... PORT=5000 python3 app.py

PORT=0 picks a free port; the first line printed says which.
"""

import os

from flask import Flask, flash, get_flashed_messages, jsonify, redirect, request, session
from markupsafe import escape

app = Flask(__name__)
app.secret_key = os.environ["FLASK_SECRET_KEY"]
# Everything else is Flask's default: the cookie is called "session", is
# HttpOnly, has Path=/, and PERMANENT_SESSION_LIFETIME is 31 days.


@app.get("/")
def home():
    user = session.get("user")
    return f"""<!doctype html>
<title>Flask</title>
<h1>Flask app</h1>
<p>Logged in as: <strong>{escape(user) if user else "nobody"}</strong></p>
<form method="post" action="/login"><input name="user" placeholder="name"><button>Log in</button></form>
<form method="post" action="/logout"><button>Log out</button></form>
<p><a href="/whoami">/whoami</a></p>
"""


@app.post("/login")
def login():
    user = request.form.get("user", "").strip()
    if not user:
        return "a user name is required", 400
    session["user"] = user
    flash(f"Logged in as {user} by Flask")
    return redirect("/whoami", code=303)


@app.post("/logout")
def logout():
    session.pop("user", None)
    flash("Logged out by Flask")
    return redirect("/whoami", code=303)


@app.get("/whoami")
def whoami():
    messages = get_flashed_messages(with_categories=True)
    return jsonify(
        app="flask",
        user=session.get("user"),
        flashes=[[category, str(message)] for category, message in messages],
    )


if __name__ == "__main__":
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", int(os.environ.get("PORT", "5000")), app)
    print(f"flask listening on http://127.0.0.1:{server.server_port}", flush=True)
    server.serve_forever()
