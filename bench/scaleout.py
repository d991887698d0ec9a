"""The scale-out phase of `make bench`: two hall instances behind nginx, sharing PostgreSQL, Redis and the
document storage, and what must hold across them.

Two gunicorn processes on their own ports (instance A and B, the same settings and secret key), and nginx from
Debian's package in the foreground with a configuration rendered from deploy/nginx.conf.example: the same file a
deployment adapts, with the bench's ports, a throw-away self-signed certificate and a temporary directory put in.
Shown, each against the instances directly:

- a session made by signing in on A is signed in on B (sessions in Redis and PostgreSQL, not in a process);
- failed passwords counted through A lock the account on B (django-axes' counts in PostgreSQL);
- an SMS code sent through A starts the resend interval on B (the SMS limits live in the shared cache);
- a policy write through A (the admin's save path: the row, then policies.cache.policies_changed()) is seen by
  B at once, while the same write without the new generation token is not (B's per-process memo is real);

then requests/s through nginx with one instance and with both (round-robin upstream).
"""

import http.client
import re
import secrets
import shutil
import signal
import ssl
import subprocess
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "deploy" / "nginx.conf.example"

MAIN_CONF = """daemon off;
master_process on;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {tmp}/hall.conf;
}}
"""


def render_site(example: str, *, upstreams: list[int], port: int, redirect_port: int, tmp: Path, private: Path) -> str:
    """deploy/nginx.conf.example with this machine's ports and paths; refuses an example that no longer has the
    lines it replaces (the bench must serve through the file a deployment copies)."""
    replacements = [
        (r"^\s*server 127\.0\.0\.1:\d+ fail_timeout=0;\n",
         "".join(f"    server 127.0.0.1:{p} fail_timeout=0;\n" for p in upstreams)),
        (r"^\s*listen 80;\n", f"    listen 127.0.0.1:{redirect_port};\n"),
        (r"^\s*listen \[::\]:80;\n", ""),
        (r"^\s*listen 443 ssl http2;\n", f"    listen 127.0.0.1:{port} ssl http2;\n"),
        (r"^\s*listen \[::\]:443 ssl http2;\n", ""),
        (r"server_name hall\.example\.org;", "server_name 127.0.0.1;"),
        (r"/etc/ssl/hall/fullchain\.pem", str(tmp / "cert.pem")),
        (r"/etc/ssl/hall/privkey\.pem", str(tmp / "key.pem")),
        (r"/var/log/nginx/hall\.access\.log", str(tmp / "access.log")),
        (r"alias /srv/hall/var/private/;", f"alias {private}/;"),
    ]  # fmt: skip
    text = example
    for pattern, replacement in replacements:
        text, n = re.subn(pattern, replacement, text, flags=re.MULTILINE)
        if not n:
            raise RuntimeError(f"deploy/nginx.conf.example no longer has {pattern!r}: update bench/scaleout.py")
    return text


class Nginx:
    def __init__(self, binary: str, tmp: Path, site: str):
        for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (tmp / sub).mkdir(parents=True, exist_ok=True)
        (tmp / "hall.conf").write_text(site)
        (tmp / "nginx.conf").write_text(MAIN_CONF.format(tmp=tmp))
        subprocess.run([binary, "-t", "-q", "-c", str(tmp / "nginx.conf"), "-p", str(tmp)], check=True)
        self.process = subprocess.Popen([binary, "-c", str(tmp / "nginx.conf"), "-p", str(tmp)], start_new_session=True)
        time.sleep(0.5)

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def request(port, method, path, *, cookies=None, form=None, csrf=None):
    """(status, body, Set-Cookie values by name) from one instance, as nginx would forward it (https)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"X-Forwarded-Proto": "https"}
    jar = dict(cookies or {})
    body = None
    if form is not None:
        jar["csrftoken"] = csrf
        body = urllib.parse.urlencode({**form, "csrfmiddlewaretoken": csrf})
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        headers["Origin"] = f"https://127.0.0.1:{port}"
    if jar:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in jar.items())
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    text = response.read().decode("utf-8", "replace")
    set_cookies = {}
    for name, value in response.getheaders():
        if name.lower() == "set-cookie":
            key, _, rest = value.partition("=")
            set_cookies[key] = rest.split(";", 1)[0]
    conn.close()
    return response.status, text, set_cookies


def checks(a: int, b: int, seed: dict) -> list[dict]:
    csrf = seed["csrf"]
    out = []

    # 1. A session made on A.
    login = seed["logins"][0]
    status, _text, cookies = request(a, "POST", "/accounts/login/", form=login, csrf=csrf)
    session = cookies.get("sessionid", "")
    on_b, _t, _c = request(b, "GET", "/bench/bare/", cookies={"sessionid": session})
    out.append({
        "check": "a session made by signing in on A is signed in on B",
        "detail": f"sign-in on A answered {status}; /bench/bare/ on B with that cookie answered {on_b} "
                  "(200: signed in)",
        "ok": status == 302 and bool(session) and on_b == 200,
    })  # fmt: skip

    # 2. A lockout counted through A.
    victim = seed["logins"][1]
    wrong = {**victim, "password": "wrong-" + secrets.token_hex(4)}
    statuses = [request(a, "POST", "/accounts/login/", form=wrong, csrf=csrf)[0] for _ in range(seed["axes_limit"])]
    right, _t, right_cookies = request(b, "POST", "/accounts/login/", form=victim, csrf=csrf)
    out.append({
        "check": f"{seed['axes_limit']} wrong passwords through A lock the account on B",
        "detail": f"wrong passwords on A answered {statuses}; the right password on B then answered {right} "
                  "(429: the lockout page)",
        "ok": right == 429 and "sessionid" not in right_cookies,
    })  # fmt: skip

    # 3. An SMS limit counted through A.
    phone = "139" + f"{secrets.randbelow(10**8):08d}"
    form = {"action": "send_code", "phone": phone}
    first, text_a, _c = request(a, "POST", "/accounts/login/sms/", form=form, csrf=csrf)
    second, text_b, _c = request(b, "POST", "/accounts/login/sms/", form=form, csrf=csrf)
    waited = "秒后再重新获取" in text_b
    out.append({
        "check": "an SMS code sent through A starts the one-a-minute interval on B",
        "detail": f"send on A answered {first} ({'refused' if '秒后再重新获取' in text_a else 'sent'}); the same phone "
                  f"on B answered {second} ({'refused: 请在…秒后再重新获取' if waited else 'sent again'})",
        "ok": first == 200 and "秒后再重新获取" not in text_a and waited,
    })  # fmt: skip

    # 4. The policy cache.
    admin = {"sessionid": seed["admin_session"]}
    marker = "同时最多"

    def b_shows():
        # New connections, so both of B's workers answer (and warm their memo) over the tries.
        return [marker in request(b, "GET", "/policies/yichun/", cookies=admin)[1] for _ in range(6)]

    before = b_shows()
    request(a, "POST", "/bench/policy-write/", cookies=admin, form={"region": "360900", "at_once_limit": "37",
                                                                     "bump": "0"}, csrf=csrf)  # fmt: skip
    stale = b_shows()
    request(a, "POST", "/bench/policy-write/", cookies=admin, form={"region": "360900", "at_once_limit": "37"},
            csrf=csrf)  # fmt: skip
    fresh = b_shows()
    request(a, "POST", "/bench/policy-write/", cookies=admin, form={"region": "360900", "at_once_limit": ""},
            csrf=csrf)  # fmt: skip
    restored = b_shows()
    out.append({
        "check": "a policy write through A is seen by B at once (policies/cache.py generation token in Redis)",
        "detail": f"宜春 page on B showing a limit, of 6 requests: before {sum(before)}; after the row changed "
                  f"without a new token {sum(stale)} (B's memo still serves the old policy); after the write with "
                  f"policies_changed() {sum(fresh)}; after the change was undone {sum(restored)}",
        "ok": not any(before) and all(fresh) and not any(restored),
        "memo_seen": not any(stale),
    })  # fmt: skip
    return out


def run_phase(*, env, seed, args, work: Path, gunicorn, log) -> dict:
    binary = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if binary is None:
        log("nginx is missing: scale-out phase skipped (apt-get install -y nginx)")
        return {"skipped": "nginx is not installed (`apt-get install -y nginx`)"}
    from bench.run import wrk  # the same wrk wrapper as the pages

    tmp = work / "nginx"
    tmp.mkdir(exist_ok=True)
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-keyout", str(tmp / "key.pem"), "-out", str(tmp / "cert.pem")],
        check=True, capture_output=True,
    )  # fmt: skip
    example = EXAMPLE.read_text()
    a_port, b_port = args.port + 2, args.port + 3
    instance_env = {**env, "TRUSTED_PROXY_IPS": "127.0.0.1,::1"}
    out = {"instances": [a_port, b_port], "nginx_port": args.nginx_port, "throughput": []}
    report = tmp / "report.lua"
    from bench.run import REPORT_LUA

    report.write_text(REPORT_LUA)
    cookie = {"Cookie": f"sessionid={seed['resident_session']}; csrftoken={seed['csrf']}"}
    with gunicorn(instance_env, a_port, workers=2), gunicorn(instance_env, b_port, workers=2):
        log(f"scale-out: instances on {a_port} and {b_port}; checks across them")
        out["checks"] = checks(a_port, b_port, seed)
        for c in out["checks"]:
            log(f"  {'ok' if c['ok'] else 'FAILED'}: {c['check']} — {c['detail']}")
        for upstreams in ([a_port], [a_port, b_port]):
            private = Path(env["PRIVATE_MEDIA_ROOT"])
            site = render_site(
                example, upstreams=upstreams, port=args.nginx_port, redirect_port=args.nginx_port + 1, tmp=tmp,
                private=private,
            )  # fmt: skip
            nginx = Nginx(binary, tmp, site)
            try:
                url = f"https://127.0.0.1:{args.nginx_port}"
                context = ssl._create_unverified_context()  # noqa: S323 - our own throw-away certificate
                conn = http.client.HTTPSConnection("127.0.0.1", args.nginx_port, context=context, timeout=10)
                conn.request("GET", "/bench/bare/", headers=cookie)
                status = conn.getresponse().status
                if status != 200:
                    raise RuntimeError(f"nginx answered {status} for /bench/bare/")
                row = {"instances": len(upstreams)}
                for key, path in (("bare", "/bench/bare/"), ("home", "/")):
                    log(f"  wrk through nginx, {len(upstreams)} instance(s): {path}")
                    wrk(url + path, report, cookie, args.warmup, 4)
                    row[key] = wrk(url + path, report, cookie, args.duration, 4)
                    log(f"    {row[key]['rps']:.0f} req/s, p95 {row[key]['p95']:.1f} ms")
                out["throughput"].append(row)
            finally:
                nginx.stop()
        out["site"] = render_site(
            example, upstreams=[a_port, b_port], port=args.nginx_port, redirect_port=args.nginx_port + 1,
            tmp=Path("$TMP"), private=Path("$PRIVATE"),
        )  # fmt: skip
    return out
