"""The shape of a policy data file and how its problems are reported; policies/loading.py reads what it says.

A problem names the file, the place (region and version) and the field, e.g. ``430300-xiangtan.yaml: 地区 430300
湘潭市, 版本 1: at_once_limit: 确保该值大于或等于1``. Problems are collected so that one run reports all of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError

from .rule_fields import Kind


@dataclass(frozen=True)
class Problem:
    file: str
    place: str
    field: str
    message: str

    def __str__(self):
        where = f"{self.file}: {self.place}" if self.place else self.file
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class PolicyDataError(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class Collector:
    """Gathers problems so that one run reports all of them."""

    def __init__(self):
        self.problems: list[Problem] = []

    def add(self, file, place, field_name, message):
        self.problems.append(Problem(file, place, field_name, str(message)))

    def validation_error(self, file, place, prefix, exc: ValidationError):
        if hasattr(exc, "error_dict"):
            for name, errors in exc.message_dict.items():
                label = f"{prefix}{name}" if name != "__all__" else prefix.rstrip(".") or "—"
                for message in errors:
                    self.add(file, place, label, message)
        else:
            for message in exc.messages:
                self.add(file, place, prefix.rstrip(".") or "—", message)

    def clean(self, obj, file, place, prefix, exclude=()) -> bool:
        try:
            obj.full_clean(exclude=list(exclude), validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            self.validation_error(file, place, prefix, exc)
            return False
        return True


def unknown_keys(collector: Collector, data: dict, allowed: set, file, place, prefix=""):
    for key in data:
        if key not in allowed:
            collector.add(file, place, f"{prefix}{key}", "未知字段（拼写错误？）")


def read_yaml(path: Path, collector: Collector) -> dict | None:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        collector.add(path.name, "", "", f"YAML 格式错误：{exc}")
        return None
    if not isinstance(data, dict):
        collector.add(path.name, "", "", "文件应为映射（mapping），顶层为 sources: 或 regions:")
        return None
    return data


def mapping(item, collector: Collector, file, place, name) -> dict | None:
    if isinstance(item, dict):
        return item
    collector.add(file, place, name, "应为映射（key: value）")
    return None


def entries(items, collector: Collector, file, place, name: str, keys: set, *, shorthand=""):
    """Yield (index, prefix, mapping) for each well-formed entry of a list field; report everything else.
    With a shorthand, a bare text item stands for {shorthand: item}."""
    if not Kind.ROWS.accepts(items):
        collector.add(file, place, name, Kind.ROWS.expected)
        return
    for index, item in enumerate(items):
        prefix = f"{name}[{index}]."
        if shorthand and isinstance(item, str):
            item = {shorthand: item}
        item = mapping(item, collector, file, place, prefix.rstrip("."))
        if item is None:
            continue
        unknown_keys(collector, item, keys, file, place, prefix)
        yield index, prefix, item


def read_value(raw, kind: Kind, model_field, collector: Collector, file, place, name):
    """(value, accepted): what a model field gets from a data file, converted by the field itself so that the
    model's clean() compares dates with dates. Missing or null is the field's default ("" for text: not
    stated); a value the kind does not accept, or the field cannot convert, is reported and not accepted."""
    if raw is None:
        return model_field.get_default(), True
    if not kind.accepts(raw):
        collector.add(file, place, name, kind.expected)
        return model_field.get_default(), False
    if kind is Kind.LINES and isinstance(raw, list):
        raw = "\n".join(line.strip() for line in raw)
    try:
        value = model_field.to_python(raw)
    except ValidationError as exc:
        collector.validation_error(file, place, name, exc)
        return model_field.get_default(), False
    return value.strip() if kind in (Kind.LINES, Kind.LONG_TEXT) else value, True
