"""The usage records as a spreadsheet download (the 共济使用明细 page's 导出 button)."""

import csv

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.masking import mask_name
from bindings.ledger import selectors
from bindings.ledger.money import fen_text
from bindings.ledger.selectors import person_or_404
from bindings.ledger.settlement import PlaceLocation
from bindings.ledger.views import year_param


@login_required
def usage_csv(request):
    """The usage records as CSV (UTF-8 with BOM, so spreadsheet programs on Windows read the Chinese)."""
    person = person_or_404(request.user)
    today = timezone.localdate()
    year = year_param(request, today)
    role = request.GET.get("role", "paid")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="gongji-{role}-{year}.csv"'
    response["Cache-Control"] = "no-store, private"
    response.write("\ufeff")
    writer = csv.writer(response)
    if role == "received":
        writer.writerow(_csv_header(_("授权人")))
        for entry in selectors.shared_debits_received(person, year=year):
            writer.writerow(_csv_row(entry, mask_name(entry.person.name)))
    elif role == "paid" and person.has_personal_account:
        writer.writerow(_csv_header(_("使用人")))
        for entry in selectors.shared_debits_paid(person, year=year):
            writer.writerow(_csv_row(entry, entry.beneficiary.name))
    else:
        raise Http404
    return response


def _csv_row(entry, who: str) -> list[str]:
    settlement = entry.settlement
    return [
        f"{entry.occurred_on:%Y-%m-%d}",
        _csv_safe(who),
        str(entry.binding.get_relationship_display()),
        str(settlement.get_level_display()),
        str(PlaceLocation(settlement.location).label),
        fen_text(-entry.amount_fen, grouped=False),
        settlement.serial,
        str(settlement.get_care_display()),
    ]


def _csv_safe(text: str) -> str:
    """A cell a spreadsheet would run as a formula is quoted as text (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def _csv_header(party) -> list:
    """The columns of both exports; `party` names the other side (授权人 for a relative, 使用人 for an authorizer)."""
    return [_("日期"), party, _("关系"), _("就医机构"), _("就医地"), _("共济支付（元）"), _("结算单号"), _("就医类型")]
