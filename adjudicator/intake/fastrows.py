"""Validating import rows fast, with exactly the row model's rules (快速校验).

A file repeats most of its values: the same category, source, village, date or "0.00" on row
after row. `FastModel` validates each field of a row with that field's own validators (a
pydantic TypeAdapter built from the model's field: the same BeforeValidators, constraints and
config), remembering the result for each distinct text of a field, then builds the model
without validating it twice and runs the model's own after-validators (the cross-field rules).

Any doubt goes the ordinary way, `model.model_validate`, which gives the same value or raises
the ValidationError the error report is made from: a value that is not text (a JSON number, a
nested object), a field that fails, a missing required field, an unknown field, a row rule that
fails. So the accepted values and every reported problem are those of the model itself; only
the time differs (tests/test_intake_fast.py compares the two on generated and awkward rows).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any, Generic, TypeVar
from unicodedata import is_normalized

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError
from pydantic_core import PydanticUndefined

M = TypeVar("M", bound=BaseModel)

#: Distinct texts remembered per field (a field seen mostly once, such as an ID number, stops
#: being remembered after `_PROBE` rows): bounded memory for any file.
CACHE_LIMIT = 20_000
_PROBE = 4_000
#: What a shortcut returns for text it does not settle.
MISS: Any = object()
_set = object.__setattr__


class _NotText(Exception):
    """A value that is not text: validated the ordinary way (True == 1 as a cache key)."""


Shortcut = Callable[[str], Any]


def text(max_length: int) -> Shortcut:
    """For a text field (`_text` then 1..max_length characters): text already in NFKC form,
    stripped and of a valid length is its own value; anything else returns the marker
    `MISS` and is validated the ordinary way."""

    def shortcut(raw: str) -> Any:
        if 0 < len(raw) <= max_length and raw == raw.strip() and is_normalized("NFKC", raw):
            return raw
        return MISS

    return shortcut


_PLAIN_AMOUNT = re.compile(r"[0-9]{1,12}(\.[0-9]{1,2})?")
_PLAIN_ID_NUMBER = re.compile(r"[0-9]{17}[0-9X]")


def amount(raw: str) -> Any:
    """For an import amount (`parse_money`, then Money: at most 2 decimals, 12 digits of
    yuan, not negative): plain ASCII digits within those limits are Decimal(raw)."""
    return Decimal(raw) if _PLAIN_AMOUNT.fullmatch(raw) else MISS


def id_number(raw: str) -> Any:
    """For an ID number (`parse_id_number`): 17 digits and a digit or X are the value."""
    return raw if _PLAIN_ID_NUMBER.fullmatch(raw) else MISS


class _Field:
    __slots__ = ("adapter", "cache", "caching", "hits", "looks", "shortcut")

    def __init__(self, adapter: TypeAdapter[Any], shortcut: Shortcut | None) -> None:
        self.adapter = adapter
        self.shortcut = shortcut
        self.cache: dict[Any, Any] = {}
        self.caching = True
        self.hits = 0
        self.looks = 0

    def validate(self, raw: Any) -> Any:
        """The field's value of `raw`: text, or a dict of texts (negative-list answers)."""
        if type(raw) is dict:
            key: Any = tuple(raw.items())
            if not all(type(k) is str and type(v) is str for k, v in key):
                raise _NotText
            return dict(self._validate(key, raw))  # a copy: records never share a dict
        if type(raw) is not str:
            raise _NotText
        if self.shortcut is not None:
            value = self.shortcut(raw)
            if value is not MISS:
                return value
        return self._validate(raw, raw)

    def _validate(self, key: Any, raw: Any) -> Any:
        if not self.caching:
            return self.adapter.validate_python(raw)
        value = self.cache.get(key, MISS)
        self.looks += 1
        if value is not MISS:
            self.hits += 1
            return value
        value = self.adapter.validate_python(raw)
        if self.looks >= _PROBE and self.hits * 4 < self.looks:
            self.caching, self.cache = False, {}  # mostly distinct values: not worth it
        else:
            if len(self.cache) >= CACHE_LIMIT:
                self.cache.clear()
            self.cache[key] = value
        return value


class FastModel(Generic[M]):
    """`validate(values)` = `model.model_validate(values)`, faster on rows of text."""

    def __init__(self, model: type[M], shortcuts: dict[str, Shortcut] | None = None) -> None:
        """`shortcuts`: per field, a function that gives the field's value of a common form
        of text at once (or MISS); each must agree with the field's validators (tests check
        them against the field's TypeAdapter)."""
        self.model = model
        shortcuts = shortcuts or {}
        config = model.model_config
        adapter_config = ConfigDict(str_strip_whitespace=config.get("str_strip_whitespace",
                                                                    False))
        self.usable = True
        self.fields: dict[str, _Field] = {}
        self.defaults: dict[str, Any] = {}
        self.required: frozenset[str] = frozenset(
            name for name, info in model.model_fields.items() if info.is_required())
        for name, info in model.model_fields.items():
            annotation: Any = info.annotation
            if info.metadata:
                annotation = Annotated[(annotation, *info.metadata)]
            if info.alias is not None or info.validation_alias is not None:
                self.usable = False
            self.fields[name] = _Field(TypeAdapter(annotation, config=adapter_config),
                                       shortcuts.get(name))
            if not info.is_required():
                self.defaults[name] = info  # default or default_factory, read per row
        decorators = model.__pydantic_decorators__
        self.after: list[Callable[[Any], Any]] = [
            d.func for d in decorators.model_validators.values() if d.info.mode == "after"]
        # Anything else would run outside the field adapters: then always the ordinary way.
        self.order = tuple(model.model_fields)
        self.usable = (self.usable and config.get("extra") == "forbid"
                       and not decorators.field_validators
                       and not model.__private_attributes__
                       and model.__pydantic_post_init__ is None
                       and not model.__pydantic_root_model__
                       and not decorators.validators and not decorators.root_validators
                       and all(d.info.mode == "after"
                               for d in decorators.model_validators.values()))

    def _construct(self, given: set[str], values: dict[str, Any]) -> M:
        """What `model_construct` does for such a model (no alias, private attribute, extra
        or post-init: checked in __init__), without its per-field work."""
        record = self.model.__new__(self.model)
        _set(record, "__dict__", {name: values[name] for name in self.order})
        _set(record, "__pydantic_fields_set__", given)
        _set(record, "__pydantic_extra__", None)
        _set(record, "__pydantic_private__", None)
        return record

    def validate(self, values: dict[str, Any]) -> M:
        if self.usable:
            record = self._fast(values)
            if record is not None:
                return record
        return self.model.model_validate(values)

    def _fast(self, values: dict[str, Any]) -> M | None:
        fields = self.fields
        if not self.required <= values.keys():
            return None
        out: dict[str, Any] = {}
        try:
            for name, raw in values.items():
                spec = fields.get(name)
                if spec is None:
                    return None
                out[name] = spec.validate(raw)
        except (ValidationError, _NotText):
            return None
        given = set(out)
        for name, info in self.defaults.items():
            if name not in out:
                default = info.default
                if default is PydanticUndefined:
                    default = info.default_factory()
                out[name] = default
        record = self._construct(given, out)
        try:
            for rule in self.after:
                rule(record)
        except (ValueError, AssertionError):  # PydanticCustomError is a ValueError
            return None
        return record
