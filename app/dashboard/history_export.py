"""History as CSV: the rows the page's filters keep (every page of them), streamed.

Rows are written as they are read (a few hundred at a time), so a long history is never held
in memory; the export stops at MAX_EXPORT rows, newest first, and the page says so.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from flask import Response, request, stream_with_context
from flask_login import login_required

from app import audit
from app.audit_filters import parse_filters, people_in_history
from app.dashboard import actor, bp
from app.dashboard.history import MAX_EXPORT, describe
from app.extensions import db
from app.timefmt import iso, readable

HEADER = ["time_utc", "time", "who", "action", "what", "before", "after"]
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@bp.get("/teams/<team_id>/history.csv")
@login_required
def history_csv():
    team = actor().team
    filters = parse_filters(request.args, people_in_history(team.id))
    # A bad filter is left out, as on the page (which names it): the rows match what it lists.
    query = audit.newest_first(filters.where(team.id)).limit(MAX_EXPORT)
    return Response(
        stream_with_context(_rows(query)),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="history.csv"'},
    )


def _rows(query) -> Iterator[str]:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")

    def flush() -> str:
        text = out.getvalue()
        out.seek(0)
        out.truncate()
        return text

    writer.writerow(HEADER)
    yield flush()
    for event in db.session.scalars(query.execution_options(yield_per=500)):
        line = describe(event)
        writer.writerow(
            [
                iso(event.created_at),
                readable(event.created_at),
                _cell(line.who),
                event.action,
                _cell(line.what),
                _cell(line.before),
                _cell(line.after),
            ]
        )
        yield flush()


def _cell(value: str | None) -> str:
    value = value or ""
    return "'" + value if value.startswith(_FORMULA_START) else value
