"""The front door: staff go to their inbox; everyone else signs in or turns to the public requests."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_babel import get_locale
from flask_login import current_user

from engine.calendar.jalali import to_jalali_str, to_persian_digits
from web.context import engine

bp = Blueprint("home", __name__)


@bp.app_template_filter("jalali")
def jalali(value, with_time: bool = False) -> str:
    if value is None:
        return ""
    return to_jalali_str(value, with_time=with_time, persian_digits=str(get_locale()) == "fa")


@bp.app_template_filter("digits")
def digits(value) -> str:
    return to_persian_digits(str(value)) if str(get_locale()) == "fa" else str(value)


@bp.get("/")
def index():
    if current_user.is_authenticated:
        return redirect("/inbox/")
    return render_template("home.html", now=engine().clock.now(), public_url=url_for("public.index"))
