"""What rules and holds put on an order, for the detail panel and the pack dialog: tags, priority, holds,
packing notes, the rules explanation ("Rules: 2 applied, 1 skipped — ship-to state was TX, not AK/HI") and the
rule's default carrier/method offered when packing."""

from __future__ import annotations

from html import escape

from fbm_desk.db.holds import describe
from fbm_desk.db.order_marks import OrderMarks, explain_rules, order_marks
from fbm_desk.db.states import PAYMENT_HOLD


def marks_of(order_id: int) -> OrderMarks | None:
    return order_marks([order_id]).get(order_id)


def blocking_hold_text(marks: OrderMarks | None) -> str:
    """The holds that forbid packing (Amazon's payment hold is shown by the order state), described."""
    if marks is None:
        return ""
    return "; ".join(describe(h) for h in marks.holds if h.kind != PAYMENT_HOLD)


def notes_html(marks: OrderMarks | None) -> str:
    if marks is None or not marks.notes:
        return ""
    items = "".join(
        f"<li>{escape(text)} <i style='color:#666'>({escape(src)})</i></li>" for src, text in marks.notes
    )
    return f"<b>Packing notes</b><ul style='margin:0'>{items}</ul>"


def rules_html(order_id: int) -> str:
    """The block of the detail panel: holds, priority and tags, the rules explanation per rule."""
    marks = marks_of(order_id)
    explanation = explain_rules(order_id)
    parts = []
    holds = blocking_hold_text(marks)
    if holds:
        parts.append(f"<p style='color:#9b1111'><b>On hold:</b> {escape(holds)} — it cannot be packed.</p>")
    if marks is not None and (marks.tags or marks.priority != "normal"):
        tags = " ".join(
            f"<span style='background:#e3ecfa; color:#1b3a6b'>&nbsp;{escape(t)}&nbsp;</span>"
            for t in marks.tags
        )
        parts.append(f"<p>Priority <b>{escape(marks.priority)}</b> &nbsp; {tags}</p>")
    rows = [f"<li>✓ {escape(name)}</li>" for name in explanation.applied]
    rows += [
        f"<li style='color:#666'>✗ {escape(name)}: {escape(why)}</li>" for name, why in explanation.skipped
    ]
    detail = f"<ul style='margin:0'>{''.join(rows)}</ul>" if rows and not explanation.waiting else ""
    parts.append(f"<p id='rules'><b>{escape(explanation.headline())}</b></p>{detail}")
    parts.append(notes_html(marks))
    return "".join(parts)
