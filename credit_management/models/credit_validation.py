# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The bounds of the add-on's settings and texts, shared by the models that hold
them (customer, company, segment, dunning, promises, plans, requests, wizards).

Each ``check_*`` function raises a ValidationError naming the record and the
field's label in the user's language; called from ``@api.constrains`` methods, so
nothing is written when a value is refused. Not a model: plain functions."""

from odoo.exceptions import ValidationError

# an amount above this is a typing error (a billion billions), not a credit line
AMOUNT_MAX = 1e15
# reasons, rationales and notes typed in a form or sent over RPC
TEXT_MAX_SIZE = 4000
RATE_MAX = 100.0


def _label(record, fname):
    return record._fields[fname]._description_string(record.env)


def _name(record, name):
    return name(record) if name else record.display_name


def check_amounts(records, fnames, maximum=AMOUNT_MAX, name=None):
    """Amounts, days and counts of ``fnames``: not negative (0 is allowed: no
    limit, no minimum, no fee) and not above ``maximum``. ``name(record)`` names
    the record in the message (default: its display name)."""
    for record in records.sudo():
        for fname in fnames:
            value = record[fname] or 0
            if value < 0:
                raise ValidationError(
                    record.env._(
                        "%(record)s: %(field)s cannot be negative (%(value)s).",
                        record=_name(record, name),
                        field=_label(record, fname),
                        value=value,
                    )
                )
            if value > maximum:
                raise ValidationError(
                    record.env._(
                        "%(record)s: %(field)s cannot exceed %(maximum)s (%(value)s).",
                        record=_name(record, name),
                        field=_label(record, fname),
                        maximum=f"{maximum:,.0f}",
                        value=f"{value:,.2f}",
                    )
                )


def check_rates(records, fnames, name=None):
    """Percentages (tolerances, interest rates): from 0 to 100."""
    check_amounts(records, fnames, maximum=RATE_MAX, name=name)


def check_text_size(records, fnames, size=TEXT_MAX_SIZE, name=None):
    for record in records.sudo():
        for fname in fnames:
            if len(record[fname] or "") > size:
                raise ValidationError(
                    record.env._(
                        "%(record)s: %(field)s cannot exceed %(size)s characters "
                        "(%(length)s typed).",
                        record=_name(record, name),
                        field=_label(record, fname),
                        size=size,
                        length=len(record[fname]),
                    )
                )
