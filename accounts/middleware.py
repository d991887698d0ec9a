from django.contrib import messages
from django.shortcuts import render
from django.utils.translation import gettext as _

from .acting import SAFE_METHODS, SESSION_KEY, acting_for, acting_user, own_acting
from .masking import mask_name
from .models import ProxyScope


class ElderModeMiddleware:
    """关怀模式: remembered on the account when signed in, in the session before that."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            request.elder_mode = user.elder_mode
        else:
            request.elder_mode = bool(request.session.get("elder_mode", False))
        return self.get_response(request)


class ActingMiddleware:
    """Whom the signed-in resident is acting for (accounts.acting), checked again on every request.

    Sets request.acting (None for visitors and staff) and, while acting for someone else, request.user to the
    ActingUser. A change through a view is refused when the scope it declares is not granted (see acting_scope).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.acting = None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not user.is_staff and user.person_id:
            wanted = request.session.get(SESSION_KEY)
            acting = acting_for(user, wanted) if wanted and wanted != user.person_id else None
            if wanted and wanted != user.person_id and acting is None:
                del request.session[SESSION_KEY]
                messages.warning(
                    request,
                    _("您为家人办理的授权已结束（已撤销、已到期，或家人已成年），现在是您本人的账户。"),
                )
            if acting is not None:
                request.user = acting_user(user, acting)
                request.acting = acting
            else:
                request.acting = own_acting(user)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method in SAFE_METHODS:
            return None
        declared = getattr(view_func, "acting_scope_declared", False)
        return acting_refusal(request, getattr(view_func, "acting_scope", None), declared=declared)


def acting_refusal(request, scope: str | None, *, declared: bool = True):
    """The refusal page when this request may not make a change needing `scope`, else None.

    The middleware asks it for every changing request; a view that changes more only on one of its buttons (the
    simulator posting a settlement) asks it for that button.
    """
    acting = getattr(request, "acting", None)
    if acting is None or (declared and scope is None):
        return None  # visitors, staff, or the signed-in user's own session: switching, elder mode, signing out
    if not acting.for_someone_else:
        if not declared or acting.may(scope):
            return None
        message = _("您未满18周岁，办理此项业务需要监护人确认。请您的监护人登录大厅，在“家庭成员”中选择您后办理。")
    elif not declared:
        message = _("为家人办理时不能进行此项操作。如需办理您本人的业务，请先在页面上方切换回本人。")
    elif acting.may(scope):
        return None
    else:
        message = _("%(name)s给您的代办授权不包括“%(scope)s”。如需办理，请%(name)s本人办理或扩大授权范围。") % {
            "name": mask_name(acting.person.name),
            "scope": ProxyScope(scope).label,
        }
    return render(request, "accounts/acting_refused.html", {"message": message}, status=403)
