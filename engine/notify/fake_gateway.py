"""A local stand-in for Kavenegar's REST API, for tests and the demo: nothing leaves the machine.

``POST /v1/{API-KEY}/sms/send.json`` (form fields ``receptor``, ``message``) answers as Kavenegar
does and keeps the message; ``GET /messages.json`` lists what was sent; each message is also
appended to ``--log`` as one JSON line. An API key other than ``--key`` is refused with 403, and a
receptor listed in ``--fail`` with 500, so retries and incidents can be seen.

    python -m engine.notify.fake_gateway --port 0 --log var/sms.jsonl
"""

from __future__ import annotations

import argparse
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse


class FakeGateway(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int = 0, key: str = "test-key", log_path: Path | None = None, fail=()):
        super().__init__(("127.0.0.1", port), _Handler)
        self.key, self.log_path, self.fail = key, log_path, set(fail)
        self.messages: list[dict] = []
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def keep(self, receptor: str, message: str) -> dict:
        with self._lock:
            entry = {"messageid": len(self.messages) + 1, "receptor": receptor, "message": message}
            self.messages.append(entry)
            if self.log_path is not None:
                with self.log_path.open("a", encoding="utf-8") as out:
                    out.write(json.dumps(entry, ensure_ascii=False) + "\n")
        return entry

    def start(self) -> FakeGateway:
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self


class _Handler(BaseHTTPRequestHandler):
    server: FakeGateway

    def log_message(self, *args) -> None:  # quiet: the messages are the log
        pass

    def _answer(self, status: int, body: dict) -> None:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        if urlparse(self.path).path == "/messages.json":
            self._answer(200, {"messages": list(self.server.messages)})
        else:
            self._answer(404, {"return": {"status": 404, "message": "not found"}})

    def do_POST(self) -> None:
        parts = urlparse(self.path).path.strip("/").split("/")
        if len(parts) != 4 or parts[0] != "v1" or parts[2:] != ["sms", "send.json"]:
            return self._answer(404, {"return": {"status": 404, "message": "not found"}})
        if parts[1] != self.server.key:
            return self._answer(403, {"return": {"status": 403, "message": "invalid api key"}})
        length = int(self.headers.get("Content-Length") or 0)
        fields = parse_qs(self.rfile.read(length).decode("utf-8"))
        receptor, message = (fields.get("receptor") or [""])[0], (fields.get("message") or [""])[0]
        if not receptor or not message:
            return self._answer(400, {"return": {"status": 400, "message": "receptor and message needed"}})
        if receptor in self.server.fail:
            return self._answer(500, {"return": {"status": 500, "message": "gateway error"}})
        entry = self.server.keep(receptor, message)
        self._answer(200, {"return": {"status": 200, "message": "تایید شد"}, "entries": [entry]})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--key", default="test-key")
    parser.add_argument("--log", type=Path)
    args = parser.parse_args()
    server = FakeGateway(args.port, args.key, args.log)
    print(f"fake SMS gateway on {server.url} (key {args.key})", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
