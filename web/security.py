"""What every response carries and every request is held to, whatever blueprint serves it.

- Security headers: no framing by other sites, no MIME sniffing, no referrer leaving the site, no
  plugins or foreign form targets. (Scripts are not yet limited by CSP: some templates still carry
  inline handlers.)
- A bound on a request's size (``RAVAND_MAX_REQUEST_MB``, 25 by default): a larger body is a 413 before
  anything reads it, in the reader's language.
- ``Retry-After`` on every 429 whose limit said how long to wait.
- Behind ``RAVAND_PROXY_COUNT`` reverse proxies, the client address and scheme come from their
  ``X-Forwarded-*`` headers (Werkzeug's ProxyFix), so the rate limits count people, not the proxy.
- The session cookie is ``Secure`` when Ravand is served over HTTPS (``RAVAND_BASE_URL``).
"""

from __future__ import annotations

import os

from flask import Flask, g, jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.middleware.proxy_fix import ProxyFix

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": (
        "script-src 'self'; frame-ancestors 'none'; object-src 'none'; base-uri 'self'; form-action 'self'"
    ),
}


def install_security(app: Flask) -> None:
    # Flask's own defaults hold these keys (no size bound, cookies not Secure): set them unless the
    # app's config chose a value.
    if app.config.get("MAX_CONTENT_LENGTH") is None:
        megabytes = int(os.environ.get("RAVAND_MAX_REQUEST_MB", "25"))
        app.config["MAX_CONTENT_LENGTH"] = megabytes * 1024 * 1024
    if os.environ.get("RAVAND_BASE_URL", "").startswith("https://"):
        app.config["SESSION_COOKIE_SECURE"] = True
    proxies = int(os.environ.get("RAVAND_PROXY_COUNT", app.config.get("RAVAND_PROXY_COUNT", 0)))
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)

    @app.after_request
    def _headers(response):
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if response.status_code == 429 and getattr(g, "retry_after", None):
            response.headers["Retry-After"] = str(g.retry_after)
        return response

    @app.errorhandler(413)
    def _too_large(_error):
        limit = app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
        message = _("The request is too large: at most %(mb)s MB may be sent at once.", mb=limit)
        if request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json":
            return jsonify(code="too_large", message=message), 413
        return render_template("auth/error.html", status=413, message=message), 413
