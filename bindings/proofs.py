"""The proof checklist page part: the wizard's step 4, a returned case and the counter desk show and edit it alike."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from bindings import services
from bindings.forms import UploadForm
from bindings.services import BindingError
from bindings.uploads import DocumentRejected


def proof_rows(bindings) -> list[dict]:
    """Each binding with the engine's proof checklist and the documents already filed against each item."""
    rows = []
    for binding in bindings:
        verdict = services.binding_verdict(binding=binding)
        documents = list(binding.documents.all())
        items = []
        for requirement in verdict.proof:
            have = [d for d in documents if d.kind == requirement.kind]
            items.append({"requirement": requirement, "documents": have})
        rows.append({"binding": binding, "verdict": verdict, "items": items})
    return rows


def handle_proof_post(request, bindings, *, redirect_to):
    """Upload, remove or pledge, for one of the given bindings; answers with a redirect to `redirect_to`."""
    by_pk = {b.pk: b for b in bindings}
    action = request.POST.get("action")
    try:
        binding = by_pk[int(request.POST.get("binding", "0"))]
    except (KeyError, ValueError):
        raise Http404 from None
    try:
        if action == "upload":
            form = UploadForm(request.POST, request.FILES)
            if not form.is_valid():
                messages.error(request, _("请先拍照或选择要上传的文件。"))
            else:
                services.document_add(
                    binding=binding,
                    kind=form.cleaned_data["kind"],
                    upload=form.cleaned_data["file"],
                    actor=request.user,
                )
                messages.success(request, _("材料已上传。"))
        elif action == "remove":
            document = binding.documents.filter(pk=request.POST.get("document")).first()
            if document is None:
                raise Http404
            services.document_remove(document=document, actor=request.user)
            messages.info(request, _("材料已删除。"))
        elif action == "pledge":
            services.binding_set_pledge(binding=binding, pledge=request.POST.get("pledge") == "1")
            messages.info(request, _("已选择以个人承诺代替证明材料。") if binding.pledge else _("已取消承诺代替。"))
        else:
            raise Http404
    except DocumentRejected as exc:
        messages.error(request, exc.message)
    except BindingError as exc:
        messages.error(request, exc.message)
    return redirect(redirect_to)
