"""The front door: staff land in their inbox; visitors see sign-in and the public requests, nothing else."""

from __future__ import annotations

from engine.demo.seed import seed_demo
from web import create_app


def test_visitors_get_the_two_doors_and_staff_their_inbox(tmp_path):
    url = f"sqlite:///{tmp_path / 'home.db'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "WTF_CSRF_ENABLED": False})
    ctx = app.extensions["ravand"]
    ctx.db.create_all()
    seed_demo(ctx, password="pw")
    client = app.test_client()
    page = client.get("/").get_data(as_text=True)
    assert 'dir="rtl"' in page and "ورود" in page and "/public/" in page
    assert "process_key" not in page and "citizen_meeting" not in page
    client.post("/login", data={"username": "coord.expert", "password": "pw"})
    assert client.get("/").headers["Location"].endswith("/inbox/")
