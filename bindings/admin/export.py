"""The review queue as an Excel workbook for the 月报: the rows the clerk's queue shows now (its filters, its
search, its region), every name and number masked, and one audit row for the read.

The queue's own ModelAdmin builds the list (its get_queryset, filters and search), so the export cannot drift
from what the queue shows; only the pagination is left out.
"""

import re
from io import BytesIO

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _t
from openpyxl import Workbook

from accounts.audit import audit
from accounts.masking import mask_id_number, mask_name, mask_phone
from accounts.models import AuditAction
from accounts.regions import region_name
from accounts.views import client_ip
from bindings.models import PENDING_STATUSES, Binding
from bindings.selectors import working_days_between

# A monthly report is a few thousand rows at most; beyond this the clerk narrows the filters.
MAX_ROWS = 20_000
UNSAFE = re.compile(r"[^\w=&.,-]")


def headers():
    return [
        _t("受理编号"),
        _t("使用人"),
        _t("使用人证件号码"),
        _t("使用人手机号"),
        _t("授权人"),
        _t("授权人证件号码"),
        _t("授权人手机号"),
        _t("与授权人关系"),
        _t("统筹区"),
        _t("办理渠道"),
        _t("状态"),
        _t("提交时间"),
        _t("已等待（工作日）"),
    ]


def row_for(binding, today):
    application, relative, authorizer = binding.application, binding.relative, binding.authorizer
    submitted = timezone.localtime(binding.submitted_at) if binding.submitted_at else None
    waited = ""
    if submitted and binding.status in PENDING_STATUSES:
        waited = working_days_between(submitted.date(), today)
    return [
        application.case_number,
        mask_name(relative.name),
        mask_id_number(relative.id_number),
        mask_phone(binding.relative_phone or relative.phone),
        mask_name(authorizer.name),
        mask_id_number(authorizer.id_number),
        mask_phone(authorizer.phone),
        binding.get_relationship_display(),
        region_name(application.city_code),
        application.get_channel_display(),
        binding.status_word(),
        submitted.strftime("%Y-%m-%d %H:%M") if submitted else "",
        waited,
    ]


def queue_queryset(request):
    """The queue's list as its changelist builds it from this request's query string (filters, search)."""
    model_admin = admin.site._registry[Binding]
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    changelist = model_admin.get_changelist_instance(request)
    return changelist.queryset


def export_view(request):
    queryset = queue_queryset(request).select_related("application", "relative", "authorizer")[:MAX_ROWS]
    today = timezone.localdate()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_t("共济申请"))
    sheet.append(headers())
    count = 0
    for binding in queryset:
        sheet.append(row_for(binding, today))
        count += 1
    buffer = BytesIO()
    workbook.save(buffer)
    # The filters as the log keeps them: never the search term (it may be a number), nothing but plain characters.
    filters = UNSAFE.sub("", "&".join(f"{key}={value}" for key, value in sorted(request.GET.items()) if key != "q"))
    audit(
        actor=request.user,
        action=AuditAction.SEARCH,
        target="binding:export",
        detail=_t("导出审核队列（已脱敏），%(n)s条%(filters)s")
        % {"n": count, "filters": f"，筛选：{filters}" if filters else ""},
        ip=client_ip(request),
        region_code=request.user.region_code,
    )
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    name = f"queue-{today:%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response
