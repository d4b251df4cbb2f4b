"""The errors engine services raise: each has a stable code, an English message template and its parameters.

The web layer translates the template with Flask-Babel (the templates are marked with ``N_`` so that
``pybabel extract`` finds them); the CLI prints the English message.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


def N_(template: str) -> str:
    """Mark a message template for translation without translating it here."""
    return template


@dataclass(frozen=True)
class Message:
    """A message as a template (the msgid the web layer translates) and the values it names."""

    template: str
    params: Mapping[str, object] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.template.format(**self.params) if self.params else self.template


def as_message(value: Message | str) -> Message:
    return value if isinstance(value, Message) else Message(value)


class RavandError(Exception):
    """Base class of every error an engine service reports to its caller."""

    code = "error"
    http_status = 400
    template = N_("The request could not be carried out.")

    def __init__(self, template: str | None = None, **params: object) -> None:
        self.template = template or self.template
        self.params = params
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return self.template.format(**self.params) if self.params else self.template

    def to_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "params": _jsonable(self.params)}


def _jsonable(params: dict) -> dict:
    return {
        k: v if isinstance(v, (str, int, float, bool, type(None), list, dict)) else str(v)
        for k, v in params.items()
    }


class NotFound(RavandError):
    code = "not_found"
    http_status = 404
    template = N_("Not found.")


class Forbidden(RavandError):
    code = "forbidden"
    http_status = 403
    template = N_("You are not allowed to do this.")


class Conflict(RavandError):
    """The request was valid once, but the state has moved on (a task already completed, say)."""

    code = "conflict"
    http_status = 409
    template = N_("This was changed by someone else; reload and try again.")


class InvalidData(RavandError):
    code = "invalid_data"
    http_status = 422
    template = N_("The submitted data is not valid.")

    def __init__(
        self, template: str | None = None, field_errors: Mapping[str, Message | str] | None = None, **params
    ):
        self.field_errors = {name: as_message(m) for name, m in (field_errors or {}).items()}
        super().__init__(template, **params)

    def to_dict(self) -> dict:
        return {**super().to_dict(), "fields": {name: str(m) for name, m in self.field_errors.items()}}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a bundle, located as precisely as the checker could.

    ``message`` is a template (translated by the web layer) and ``params`` its values; ``rule`` names
    the deploy rule that found it (``engine.definitions.rules``), if one did.
    """

    file: str
    message: str
    line: int | None = None
    element: str | None = None
    params: Mapping[str, object] = field(default_factory=dict)
    rule: str | None = None

    @property
    def text(self) -> str:
        return self.message.format(**self.params) if self.params else self.message

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line else "")
        return f"{where}: {f'[{self.element}] ' if self.element else ''}{self.text}"

    def to_dict(self) -> dict:
        return {
            "file": self.file,
            "line": self.line,
            "element": self.element,
            "message": self.text,
            "template": self.message,
            "params": _jsonable(dict(self.params)),
            "rule": self.rule,
        }


class BundleInvalid(RavandError):
    code = "bundle_invalid"
    http_status = 422
    template = N_("The process bundle has {count} problem(s).")

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(count=len(problems))

    @property
    def message(self) -> str:
        return "\n".join([super().message, *(f"  {p}" for p in self.problems)])

    def to_dict(self) -> dict:
        return {**super().to_dict(), "problems": [p.to_dict() for p in self.problems]}


@dataclass
class FieldErrors:
    """Collects per-field validation messages before raising one InvalidData."""

    errors: dict[str, Message] = field(default_factory=dict)

    def add(self, name: str, message: Message | str, **params: object) -> None:
        self.errors.setdefault(name, message if isinstance(message, Message) else Message(message, params))

    def raise_if_any(self) -> None:
        if self.errors:
            raise InvalidData(field_errors=self.errors)
