"""crispy-bootstrap5's markup for one form field, written out in Python for the hot ledger pages.

`{{ form.x|as_crispy_field }}` renders each field through about ten nested templates, and Django renders each
<option> of a select through a template of its own: on the settlement simulator (a 7-option select, two radio
groups, four item rows of 8-option selects) that was most of the page's time. This module writes the same
elements, classes, ids, labels, required marks, errors, help texts and aria attributes (aria-invalid and
aria-describedby as Django's BoundField builds them) directly; tests/bindings/ledger/test_fieldhtml.py renders
every field both ways, valid and invalid, and compares the markup.

Flat choices only (no optgroups) and the widgets these forms use: a field of any other kind falls back to crispy.
"""

from __future__ import annotations

from django import forms
from django.core.signals import setting_changed
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html: True is a bare name, False is left out."""
    out = []
    for name, value in attrs.items():
        if value is False or value is None:
            continue
        out.append(f" {name}" if value is True else f' {name}="{conditional_escape(str(value))}"')
    return "".join(out)


def _crispy_class(widget, extra: str) -> str:
    """The class crispy_field sets: the widget's own class, its class name in lower case, then `extra`."""
    name = type(widget).__name__.lower()
    css = widget.attrs.get("class", "")
    if css:
        if css.find(name) == -1:
            css += f" {name}"
    else:
        css = name
    for part in extra.split():
        if part not in css.split():
            css += f" {part}"
    return css


def _widget_attrs(bf, extra_class: str) -> dict:
    """The attributes Django renders for the widget after crispy_field set its class (same order)."""
    widget = bf.field.widget
    attrs = dict(widget.attrs)
    attrs["class"] = _crispy_class(widget, extra_class)
    attrs.update(bf.build_widget_attrs({}))
    if bf.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", bf.auto_id)
    return attrs


def _label_text(bf) -> str:
    text = conditional_escape(bf.label)
    if bf.field.required:
        text += '<span class="asteriskField">*</span>'
    return text


def _errors(bf) -> str:
    """bootstrap5/layout/field_errors_block.html."""
    if not bf.errors:
        return ""
    lines = "".join(
        f'<p id="error_{n}_{bf.auto_id}"><strong>{conditional_escape(error)}</strong></p>'
        for n, error in enumerate(bf.errors, 1)
    )
    return f'<div id="{bf.auto_id}_error" class="invalid-feedback">{lines}</div>'


def _help(bf) -> str:
    """bootstrap5/layout/help_text.html (the help text is trusted markup there, as here)."""
    if not bf.help_text:
        return ""
    ident = f'id="{bf.auto_id}_helptext" ' if bf.auto_id else ""
    return f'<div {ident}class="form-text">{bf.help_text}</div>'


def _flat_choices(widget):
    choices = list(widget.choices)
    if any(isinstance(label, (list, tuple)) for _value, label in choices):
        return None
    return choices


def _select(bf, attrs: dict, choices) -> str:
    values = bf.field.widget.format_value(bf.value())
    options, chosen = [], False
    for value, label in choices:
        value = "" if value is None else str(value)
        selected = not chosen and value in values
        chosen = chosen or selected
        options.append(
            f'<option value="{conditional_escape(value)}"{" selected" if selected else ""}>'
            f"{conditional_escape(label)}</option>"
        )
    return f'<select name="{bf.html_name}"{_attrs(attrs)}>{"".join(options)}</select>'


def _input(bf, attrs: dict) -> str:
    widget = bf.field.widget
    value = widget.format_value(bf.value())
    shown = "" if value is None else f' value="{conditional_escape(str(value))}"'
    return f'<input type="{widget.input_type}" name="{bf.html_name}"{shown}{_attrs(attrs)}>'


def _labelled(bf, control: str) -> str:
    """bootstrap5/field.html for a text input or a select: label, control, errors, help text."""
    label = ""
    if bf.label:
        target = f'for="{bf.id_for_label}" ' if bf.id_for_label else ""
        required = " requiredField" if bf.field.required else ""
        label = f'<label {target}class="form-label{required}">{_label_text(bf)}</label>'
    return f'<div id="div_{bf.auto_id}" class="mb-3">{label}{control}{_errors(bf)}{_help(bf)}</div>'


def _radios(bf, choices) -> str:
    """bootstrap5/field.html with layout/radio_checkbox_select.html: a fieldset with a legend."""
    widget = bf.field.widget
    ident = widget.attrs.get("id") or bf.auto_id
    base = bf.build_widget_attrs({"id": ident} if ident else {})
    values = widget.format_value(bf.value())
    invalid = " is-invalid" if bf.errors else ""
    options, chosen = [], False
    for index, (value, label) in enumerate(choices):
        value = "" if value is None else str(value)
        attrs = {**widget.attrs, **base}
        if not chosen and value in values:
            chosen = True
            attrs["checked"] = True
        if "id" in attrs:
            attrs["id"] = widget.id_for_label(attrs["id"], str(index))
        errors = _errors(bf) if index == len(choices) - 1 else ""
        options.append(
            f'<div class="form-check"><input type="{widget.input_type}" class="form-check-input{invalid}" '
            f'name="{bf.html_name}" value="{conditional_escape(value)}"{_attrs(attrs)}>'
            f'<label for="{attrs.get("id", "")}" class="form-check-label">{conditional_escape(label)}</label>'
            f"{errors}</div>"
        )
    described = f' aria-describedby="{bf.aria_describedby}"' if bf.aria_describedby else ""
    required = " requiredField" if bf.field.required else ""
    legend = f'<legend class="form-label{required} fs-6">{_label_text(bf)}</legend>' if bf.label else ""
    body = f"<div>{''.join(options)}</div>{_help(bf)}"
    if bf.label:
        body = f"<fieldset{described}>{legend}{body}</fieldset>"
    return f'<div id="div_{bf.auto_id}" class="mb-3">{body}</div>'


def _checkbox(bf) -> str:
    """bootstrap5/field.html for a lone checkbox: the input, its label after it, errors, help text."""
    attrs = _widget_attrs(bf, "form-check-input is-invalid" if bf.errors else "form-check-input")
    widget = bf.field.widget
    value = bf.value()
    if widget.check_test(value):
        attrs["checked"] = True
    shown = widget.format_value(value)
    shown = "" if shown is None else f' value="{conditional_escape(shown)}"'
    required = " requiredField" if bf.field.required else ""
    return (
        f'<div class="mb-3"><div id="div_{bf.auto_id}" class="form-check">'
        f'<input type="checkbox" name="{bf.html_name}"{shown}{_attrs(attrs)}>'
        f'<label for="{bf.id_for_label}" class="form-check-label{required}">{_label_text(bf)}</label>'
        f"{_errors(bf)}{_help(bf)}</div></div>"
    )


def field(bf) -> SafeString:
    """`{{ bf|as_crispy_field }}`, without the templates."""
    widget = bf.field.widget
    if widget.is_hidden:
        return mark_safe(str(bf))
    if isinstance(widget, forms.RadioSelect):
        choices = _flat_choices(widget)
        if choices is not None:
            return mark_safe(_radios(bf, choices))
    elif isinstance(widget, forms.CheckboxInput):
        return mark_safe(_checkbox(bf))
    elif isinstance(widget, forms.Select) and not widget.allow_multiple_selected:
        choices = _flat_choices(widget)
        if choices is not None:
            extra = "form-select is-invalid" if bf.errors else "form-select"
            return mark_safe(_labelled(bf, _select(bf, _widget_attrs(bf, extra), choices)))
    elif isinstance(widget, forms.TextInput):
        extra = "form-control is-invalid" if bf.errors else "form-control"
        return mark_safe(_labelled(bf, _input(bf, _widget_attrs(bf, extra))))
    from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field

    return as_crispy_field(bf)


class Fields:
    """`{{ fields.name }}` in a template: the named field of `form`, in crispy's markup (`ready`: markup already
    rendered, by name)."""

    def __init__(self, form, ready=None):
        self.form, self.ready = form, ready or {}

    def __getitem__(self, name):
        if name in self.ready:
            return self.ready[name]
        return field(self.form[name])


# Unbound forms whose fields have fixed choices (enums, not data) render the same markup for every resident: kept
# per process under the form classes and the language. Nothing personal may go in: `exclude` names the fields
# that depend on who asks (the simulator's patient). Cleared when a setting changes (tests); a deploy restarts.
_BLANK: dict = {}


def _forget_blank(**kwargs) -> None:
    _BLANK.clear()


setting_changed.connect(_forget_blank, dispatch_uid="ledger-blank-forms")


def blank_markup(form, formset, *, exclude=()) -> dict:
    """The unbound `form`'s fields (but `exclude`) and `formset`'s rows and management form, rendered once."""
    assert not form.is_bound and not formset.is_bound
    key = (type(form), type(formset), formset.prefix, tuple(exclude), get_language())
    markup = _BLANK.get(key)
    if markup is None:
        markup = {name: field(form[name]) for name in form.fields if name not in exclude}
        markup["item_rows"] = item_rows(formset)
        markup["item_management"] = hidden_inputs(formset.management_form)
        _BLANK[key] = markup
    return markup


def _item_cell(bf, label: str, control: str) -> str:
    ident = bf.id_for_label
    error = ""
    if bf.errors:
        error = (
            f'<div class="invalid-feedback d-block" id="{ident}-error">'
            f"{conditional_escape(' '.join(str(e) for e in bf.errors))}</div>"
        )
    return f'<label class="form-label small mb-0" for="{ident}">{conditional_escape(label)}</label>{control}{error}'


def _item_control_attrs(bf) -> str:
    """The class and aria-describedby the template gave an item's control (invalid: is-invalid, the error)."""
    if not bf.errors:
        return ""
    return f' is-invalid" aria-describedby="{bf.id_for_label}-error'


def item_rows(items) -> SafeString:
    """The simulator's 门诊 item rows (the ItemFormSet): a category select and an amount per row, labelled 第n项.

    The hall's own compact markup (not crispy's), as simulator.html used to loop over it."""
    label_kind, label_amount = gettext("第%(n)s项 类别"), gettext("第%(n)s项 金额（元）")
    rows = []
    for n, form in enumerate(items, 1):
        kind, amount = form["kind"], form["amount"]
        chosen = str(kind.value())
        options = "".join(
            f'<option value="{conditional_escape(value)}"{" selected" if str(value) == chosen else ""}>'
            f"{conditional_escape(label)}</option>"
            for value, label in form.fields["kind"].choices
        )
        select = (
            f'<select name="{kind.html_name}" id="{kind.id_for_label}" class="form-select'
            f'{_item_control_attrs(kind)}">{options}</select>'
        )
        value = amount.value()
        text = (
            f'<input type="text" name="{amount.html_name}" id="{amount.id_for_label}" '
            f'value="{conditional_escape("" if value is None else value)}" inputmode="decimal" autocomplete="off" '
            f'class="form-control{_item_control_attrs(amount)}">'
        )
        rows.append(
            f'<div class="row g-2 mb-2 item-row">'
            f'<div class="col-7">{_item_cell(kind, label_kind % {"n": n}, select)}</div>'
            f'<div class="col-5">{_item_cell(amount, label_amount % {"n": n}, text)}</div></div>'
        )
    return mark_safe("".join(rows))


def hidden_inputs(form) -> SafeString:
    """`{{ formset.management_form }}`: the form's hidden inputs, one after another (a tampered one, with errors
    to show, as Django renders it)."""
    if form.is_bound and form.errors:
        return mark_safe(str(form))
    inputs = []
    for bf in form:
        value = bf.field.widget.format_value(bf.value())
        shown = "" if value is None else f' value="{conditional_escape(str(value))}"'
        inputs.append(f'<input type="hidden" name="{bf.html_name}"{shown} id="{bf.auto_id}">')
    return mark_safe("".join(inputs))
