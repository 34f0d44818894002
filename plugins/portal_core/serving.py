"""How the build is served: security headers, caching, precompressed files; one source of truth for
the nginx configuration (`invoke nginx-config`), the `_headers` file of static hosts and CDNs, and
`/.well-known/security.txt`.

The Content-Security-Policy is assembled from what the plugins declare with
`registry.register_policy(directive, sources)` (the dossier look-up's outside form, the map tile
server when site.yaml sets one) and `registry.register_permission(feature)` (geolocation for the
nearest-office finder, the camera for reading a receipt); an area with a looser policy of its own
(the editor under /quan-tri/) declares it with `registry.register_area_policy(prefix, policy)`.
Public pages have no inline script or style: the policy allows none.
"""
from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from . import registry

# Files named by their bytes (`site.3f2a9c1b7d.css`, `procedures.0a1b2c3d4e.json`): kept a year.
HASHED_RE = r"\.[0-9a-f]{10}\.[A-Za-z0-9.]+$"
CACHE_HASHED = "public, max-age=31536000, immutable"
CACHE_OTHER = "no-cache"  # HTML, feeds, JSON, the search manifest: revalidated on every use
BASE_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "manifest-src": ["'self'"],
    "worker-src": ["'self'"],
    "object-src": ["'none'"],
    "frame-ancestors": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
}
PERMISSIONS_OFF = ("microphone", "payment", "usb")


def origin(url: str) -> str:
    """`https://host[:port]` of an address, or "" when it has none."""
    parts = urlsplit(url or "")
    netloc = parts.netloc.replace("{s}", "*")  # a tile server's sub-domains ({s}.tile.example.org)
    return f"{parts.scheme}://{netloc}" if parts.scheme in ("https", "http") and netloc else ""


def policy(settings: dict) -> str:
    """The public pages' Content-Security-Policy."""
    site = settings.get("SITE") or {}
    directives = {k: list(v) for k, v in BASE_POLICY.items()}
    for directive, sources in registry.policies():
        for source in sources(site) if callable(sources) else sources:
            if source and source not in directives.setdefault(directive, []):
                directives[directive].append(source)
    return "; ".join(f"{k} {' '.join(v)}" for k, v in directives.items())


def permissions(settings: dict) -> str:
    features = sorted(registry.permissions())
    return ", ".join([f"{f}=(self)" for f in features] + [f"{f}=()" for f in PERMISSIONS_OFF])


def headers(settings: dict) -> dict[str, str]:
    """Headers of every public response."""
    return {
        "Content-Security-Policy": policy(settings),
        "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "Permissions-Policy": permissions(settings),
        "Cross-Origin-Opener-Policy": "same-origin",
    }


def _add_headers(hs: dict[str, str], cache: str, indent: str) -> str:
    lines = [f'add_header {name} "{value}" always;' for name, value in hs.items()]
    lines.append(f'add_header Cache-Control "{cache}" always;')
    return "\n".join(indent + line for line in lines)


def area_policies(settings: dict) -> list[tuple[str, str]]:
    return [(prefix, p(settings) if callable(p) else p) for prefix, p in registry.area_policies()]


def server_body(settings: dict, root: str, indent: str = "    ") -> str:
    """What the nginx `server` block of the site holds (test and production alike)."""
    hs = headers(settings)
    out = [
        f"root {root};",
        "charset utf-8;",
        "charset_types text/css application/javascript application/json application/xml application/atom+xml text/plain image/svg+xml;",
        "index index.html;",
        "server_tokens off;",
        "# the build writes .br and .gz next to the files worth compressing: sent as they are",
        "gzip_static on;",
        "brotli_static on;",
        "gzip_vary on;",
        "error_page 404 /404.html;",
        "# on responses made here, such as the redirects below (a location that adds its own headers",
        "# does not inherit these: each repeats them)",
        _add_headers(hs, CACHE_OTHER, ""),
        "# renamed pages (redirect_from in the content): reload nginx after publishing to pick up new ones",
        f"include {root}/redirects.nginx;",
        "",
        "location / {",
        "    try_files $uri $uri/ =404;",
        _add_headers(hs, CACHE_OTHER, "    "),
        "}",
        f'location ~ "{HASHED_RE}" {{',
        _add_headers(hs, CACHE_HASHED, "    "),
        "}",
        "location = /404.html {",
        "    internal;",
        _add_headers(hs, CACHE_OTHER, "    "),
        "}",
    ]
    for prefix, area_policy in area_policies(settings):
        out += [
            f"location ^~ {prefix} {{",
            "    try_files $uri $uri/ =404;",
            _add_headers({**hs, "Content-Security-Policy": area_policy}, CACHE_OTHER, "    "),
            "}",
        ]
    return "\n".join(indent + line if line else "" for line in "\n".join(out).split("\n"))


LOG_FORMAT = """# Access logs keep the network, not the address: the last byte of an IPv4 address and the last
# 80 bits of an IPv6 address are dropped before writing (Decree 13/2023/ND-CP on personal data).
# Rotate daily and keep 14 days (deploy/nginx/logrotate).
map $remote_addr $portal_client_network {
    ~^(?P<net>\\d+\\.\\d+\\.\\d+)\\.\\d+$        $net.0;
    ~^(?P<net>[0-9a-fA-F]*:[0-9a-fA-F]*:[0-9a-fA-F]*):  $net::;
    default                                   -;
}
log_format portal_private '$portal_client_network - [$time_local] "$request" $status $body_bytes_sent "$http_referer"';
"""


def tls_servers(settings: dict, root: str, server_name: str, http: list[str], https: list[str], cert: str, key: str,
                access_log: str, https_port: int = 443, indent: str = "") -> str:
    """The two `server` blocks of the site: plain HTTP answering only with a redirect to HTTPS, and
    HTTPS serving the build (production and the tests' TLS try-out alike)."""
    port = "" if https_port == 443 else f":{https_port}"
    text = "\n".join(
        ["server {"] + [f"    listen {a};" for a in http] + [
            f"    server_name {server_name};",
            f"    access_log {access_log} portal_private;",
            f"    return 301 https://$host{port}$request_uri;",
            "}",
            "",
            "server {"] + [f"    listen {a} ssl http2;" for a in https] + [
            f"    server_name {server_name};",
            f"    ssl_certificate {cert};",
            f"    ssl_certificate_key {key};",
            "    ssl_protocols TLSv1.2 TLSv1.3;",
            "    ssl_session_cache shared:portal_ssl:10m;",
            f"    access_log {access_log} portal_private;",
            "",
            server_body(settings, root),
            "}"])
    return "\n".join(indent + line if line else "" for line in text.split("\n"))


def nginx_site(settings: dict, root: str, server_name: str) -> str:
    """The production configuration: include it in nginx's `http` block (Debian: put it in
    /etc/nginx/sites-enabled/; the brotli_static module comes with libnginx-mod-http-brotli-static)."""
    cert = f"/etc/letsencrypt/live/{server_name}"
    servers = tls_servers(settings, root, server_name, ["80", "[::]:80"], ["443", "[::]:443"],
                          f"{cert}/fullchain.pem", f"{cert}/privkey.pem", "/var/log/nginx/portal.access.log")
    return f"""# Generated by `invoke nginx-config` from pelicanconf.py, site.yaml and the plugins: do not edit by hand.
# Root: the release link `invoke build` switches atomically (`invoke rollback` switches back).

{LOG_FORMAT}
{servers}
"""


BROTLI_MODULE = "/usr/lib/nginx/modules/ngx_http_brotli_static_module.so"


def nginx_standalone(settings: dict, root: str, listen: str, folder: str, tls: tuple[str, str, str] | None = None) -> str:
    """A whole nginx.conf serving the build over plain HTTP on `listen` (127.0.0.1:8080), its pid,
    logs and temporary files in `folder`: to try the configuration locally, and for the tests.
    The site's part is the production one (server_body). With `tls` = (https listen address,
    certificate, key), `listen` only redirects to HTTPS there, as in production (tls_servers)."""
    temp = "\n".join(f"    {kind}_temp_path {folder}/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    import getpass

    if tls:
        https, cert, key = tls
        servers = tls_servers(settings, root, "_", [listen], [https], cert, key, f"{folder}/access.log",
                              https_port=int(https.rsplit(":", 1)[-1]), indent="    ")
        log = "\n".join("    " + line if line else "" for line in LOG_FORMAT.split("\n"))
    else:
        servers = f"""    server {{
        listen {listen};
{server_body(settings, root, indent="        ")}
    }}"""
        log = f"    access_log {folder}/access.log;"
    # workers run as whoever starts it (under root, nginx would otherwise switch to nobody, who
    # may not read a build in a private folder): a try-out, not production
    return f"""# Generated by `invoke nginx-config --listen`: a local try-out, not for production.
load_module {BROTLI_MODULE};
user {getpass.getuser()};
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
{log}
{temp}
{servers}
}}
"""


LOGROTATE = """# Generated by `invoke nginx-config`: access logs hold client networks only, kept 14 days.
/var/log/nginx/portal.access.log {
    daily
    rotate 14
    missingok
    notifempty
    compress
    delaycompress
    sharedscripts
    postrotate
        invoke-rc.d nginx rotate >/dev/null 2>&1 || true
    endscript
}
"""


def headers_file(settings: dict, hashed_urls) -> str:
    """`_headers` for hosts configured by files (Netlify, Cloudflare Pages and the like)."""
    hs = headers(settings)
    lines = ["# Generated by the build from the same source as deploy/nginx/ (plugins/portal_core/serving.py).", "/*"]
    lines += [f"  {k}: {v}" for k, v in hs.items()]
    lines.append(f"  Cache-Control: {CACHE_OTHER}")
    for prefix, area_policy in area_policies(settings):
        lines += [f"{prefix}*", "  ! Content-Security-Policy", f"  Content-Security-Policy: {area_policy}"]
    for url in sorted(hashed_urls):
        lines += [url, "  ! Cache-Control", f"  Cache-Control: {CACHE_HASHED}"]
    return "\n".join(lines) + "\n"


def security_txt(site: dict, today: dt.date) -> str | None:
    """RFC 9116 security.txt, when site.yaml names a security contact; it expires in a year."""
    contact = site.get("security_contact")
    if not contact:
        return None
    expires = dt.datetime.combine(today + dt.timedelta(days=365), dt.time(0, 0), tzinfo=dt.timezone.utc)
    url = (site.get("url") or "").rstrip("/")
    return (f"Contact: {contact}\nExpires: {expires.strftime('%Y-%m-%dT%H:%M:%SZ')}\n"
            f"Preferred-Languages: vi, en\nCanonical: {url}/.well-known/security.txt\n")
