"""Each user's choice of how notices reach them outside the app: at once, in a daily digest, or not at
all; by e-mail or SMS (to their own mobile number). Without a choice: at once, by e-mail."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.context import Context
from engine.errors import N_, FieldErrors, InvalidData, NotFound
from engine.models import NotificationSetting, User
from engine.notify.sms import normalize_mobile

IMMEDIATE, DAILY, OFF = "immediate", "daily", "off"
MODES = (IMMEDIATE, DAILY, OFF)
EMAIL, SMS = "email", "sms"
CHANNELS = (EMAIL, SMS)


@dataclass(frozen=True)
class Setting:
    mode: str = IMMEDIATE
    channel: str = EMAIL
    mobile: str | None = None


def settings_in(session: Session, user_ids: list[int]) -> dict[int, Setting]:
    """The settings of the users, by id (the defaults for those who chose nothing)."""
    chosen = {
        row.user_id: Setting(row.mode, row.channel, row.mobile)
        for row in session.scalars(
            select(NotificationSetting).where(NotificationSetting.user_id.in_(user_ids))
        )
    }
    return {user_id: chosen.get(user_id, Setting()) for user_id in user_ids}


def get_settings(ctx: Context, username: str) -> dict:
    """The user's own settings, with the e-mail address they would go to."""
    with ctx.db.read() as session:
        return settings_of(session, username)


#: What ``setting_dict`` takes, in this order.
SETTING_COLUMNS = (
    User.email,
    NotificationSetting.mode,
    NotificationSetting.channel,
    NotificationSetting.mobile,
)


def settings_of(session: Session, username: str) -> dict:
    """``get_settings`` in the caller's session: one statement."""
    row = session.execute(
        select(*SETTING_COLUMNS)
        .outerjoin(NotificationSetting, NotificationSetting.user_id == User.id)
        .where(User.username == username, User.is_active.is_(True))
    ).one_or_none()
    if row is None:
        raise NotFound(N_("Unknown user '{user}'."), user=username)
    return setting_dict(*row)


def setting_dict(email: str | None, mode: str | None, channel: str | None, mobile: str | None) -> dict:
    """A user's settings as the pages and the API show them (the defaults where they chose nothing)."""
    default = Setting()
    return {
        "mode": mode or default.mode,
        "channel": channel or default.channel,
        "mobile": mobile,
        "email": email,
    }


def update_settings(ctx: Context, username: str, mode: str, channel: str, mobile: str | None = None) -> dict:
    """Change the user's own settings; SMS needs a mobile number (``09xxxxxxxxx``, Persian or Latin
    digits), e-mail an address on their account. Returns the settings as saved."""
    errors = FieldErrors()
    if mode not in MODES:
        errors.add("mode", N_("Choose immediately, a daily digest, or off."))
    if channel not in CHANNELS:
        errors.add("channel", N_("Choose e-mail or SMS."))
    number = normalize_mobile(mobile) if (mobile or "").strip() else None
    if (mobile or "").strip() and number is None:
        errors.add("mobile", N_("Enter a mobile number as 09xxxxxxxxx (11 digits)."))
    elif channel == SMS and mode != OFF and number is None:
        errors.add("mobile", N_("Enter your mobile number to get notices by SMS."))
    with ctx.db.transaction() as session:
        user = session.scalar(select(User).where(User.username == username, User.is_active.is_(True)))
        if user is None:
            raise InvalidData(N_("Unknown user '{user}'."), user=username)
        if channel == EMAIL and mode != OFF and not user.email:
            errors.add("channel", N_("Your account has no e-mail address: choose SMS, or ask for one."))
        if errors.errors:
            first = next(iter(errors.errors.values()))
            raise InvalidData(first.template, field_errors=errors.errors, **first.params)
        row = session.get(NotificationSetting, user.id)
        if row is None:
            row = NotificationSetting(user_id=user.id)
            session.add(row)
        row.mode, row.channel, row.mobile = mode, channel, number
        return {"mode": mode, "channel": channel, "mobile": number, "email": user.email}
