"""The proof checklist page part: the wizard's step 3, a returned case and the counter desk show and edit it alike.

The checklist is one form (templates/includes/proof_checklist.html). Whatever button sends it (上传, 删除, the
pledge, the wizard's 下一步), every file chosen in it is stored first, or refused with a message that names it:
a chosen file is never dropped. With JavaScript (static/js/upload.js) a file is sent on its own as soon as it is
chosen, to the same view, asking for JSON; the answer carries the re-rendered checklist item.

File fields are named after what they fill: ``file-<binding pk>-<kind>`` adds a document to an item,
``replace-<document pk>`` takes a document's place (重拍/重新选择). An older client may still send one ``file``
with ``binding`` and ``kind``.
"""

import re
import uuid
from dataclasses import dataclass

from django.contrib import messages
from django.db.models import prefetch_related_objects
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from bindings import services
from bindings.models import Binding, Document, Status
from bindings.services import BindingError
from bindings.services.core import ProofState, binding_verdicts, proof_state
from bindings.services.relative_face import relative_face_record_of
from bindings.uploads import DocumentRejected
from policies.choices import ChannelKind, ProofKind

_ADD_FIELD = re.compile(r"^file-(\d+)-([a-z_]+)$")
_REPLACE_FIELD = re.compile(r"^replace-([0-9a-f-]{36})$")  # documents have UUID keys


class ProofRows(list):
    """The checklist's rows; `complete` says whether any required proof is still missing (the wizard's step 3)."""

    @property
    def complete(self) -> bool:
        return all(row["complete"] for row in self)


def _row(binding: Binding, verdict) -> dict:
    documents = list(binding.documents.all())
    kinds = {d.kind for d in documents}
    items = []
    for requirement in verdict.proof:
        items.append(
            {
                "requirement": requirement,
                "documents": [d for d in documents if d.kind == requirement.kind],
                "state": proof_state(requirement, kinds=kinds, pledge=binding.pledge),
                "key": f"{binding.pk}-{requirement.kind}",
            }
        )
    complete = all(item["state"] != ProofState.MISSING for item in items)
    face = relative_face_row(binding, verdict)
    if face is not None and face["record"] is None:
        complete = False
    return {"binding": binding, "verdict": verdict, "items": items, "complete": complete, "face": face}


def relative_face_row(binding: Binding, verdict) -> dict | None:
    """The relative's own face check on the checklist, where the engine asks for one (Verdict.face_check_age):
    the age it applies from and the record of his passed check (None: not done yet)."""
    if verdict.face_check_age is None:
        return None
    url = ""
    if binding.status == Status.DRAFT and binding.application.channel != ChannelKind.COUNTER:
        url = reverse("bindings:relative_face", args=[binding.application.case_number, binding.pk])
    return {"age": verdict.face_check_age, "record": relative_face_record_of(binding), "url": url}


def proof_rows(bindings, *, facts_rows=None) -> ProofRows:
    """Each binding with the engine's proof checklist, the documents filed against each item and its state.
    `facts_rows`: selectors.fact_rows_for(bindings), when the page has read them already."""
    bindings = list(bindings)
    # A fixed number of queries however many relatives: the facts behind every verdict, then every document.
    verdicts = binding_verdicts(bindings, rows=facts_rows)
    prefetch_related_objects(bindings, "documents")
    return ProofRows(_row(binding, verdict) for binding, verdict in zip(bindings, verdicts, strict=True))


@dataclass(frozen=True)
class _Chosen:
    field: str
    binding: Binding
    kind: str
    upload: object
    replaces: Document | None = None

    @property
    def label(self) -> str:
        return str(ProofKind(self.kind).label) if self.kind in ProofKind.values else self.kind


def _chosen_files(request, by_pk: dict) -> list[_Chosen]:
    """Every file the form carries, with what it is for; a file for a case not on this page is a 404."""
    chosen = []
    for field, upload in request.FILES.items():
        if add := _ADD_FIELD.match(field):
            binding = by_pk.get(int(add[1]))
            if binding is None:
                raise Http404
            chosen.append(_Chosen(field, binding, add[2], upload))
        elif replace := _REPLACE_FIELD.match(field):
            document = _document(replace[1], by_pk)
            if document is None:
                raise Http404
            chosen.append(_Chosen(field, by_pk[document.binding_id], document.kind, upload, document))
        elif field == "file":
            try:
                binding = by_pk[int(request.POST.get("binding", "0"))]
            except (KeyError, ValueError):
                raise Http404 from None
            chosen.append(_Chosen(field, binding, request.POST.get("kind", ""), upload))
    return chosen


def _document(pk: str, by_pk: dict) -> Document | None:
    """One of the documents of the bindings on this page, by the key a button or field carries."""
    try:
        pk = uuid.UUID(pk)
    except ValueError:
        return None
    return Document.objects.filter(pk=pk, binding__in=list(by_pk)).first()


def _store(chosen: _Chosen, actor) -> Document:
    if chosen.replaces is not None:
        return services.document_replace(document=chosen.replaces, upload=chosen.upload, actor=actor)
    return services.document_add(binding=chosen.binding, kind=chosen.kind, upload=chosen.upload, actor=actor)


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def handle_proof_post(request, bindings, *, redirect_to, next_urls=None, on_goto=None):
    """Store every chosen file, then remove or pledge as the button says; answer with a redirect, or with JSON
    for static/js/upload.js. `next_urls` maps the values of a `goto` button (下一步) to where it leads; it leads
    there only when every chosen file was stored, after running `on_goto[value]()` if there is one (the returned
    case's 补充完成，重新提交, which must not leave a chosen file behind)."""
    by_pk = {b.pk: b for b in bindings}
    if not by_pk:
        raise Http404
    chosen = _chosen_files(request, by_pk)
    stored, refused = [], []
    for item in chosen:
        try:
            stored.append((item, _store(item, request.user)))
        except (DocumentRejected, BindingError) as exc:
            refused.append((item, exc.message))
    if _wants_json(request):
        return _json_answer(request, chosen, stored, refused)

    for item, message in refused:
        messages.error(request, _("%(what)s没有上传成功：%(why)s") % {"what": item.label, "why": message})
    if stored:
        labels = "、".join(dict.fromkeys(item.label for item, _doc in stored))
        messages.success(request, _("材料已上传：%(what)s。") % {"what": labels})
    try:
        if remove := request.POST.get("remove"):
            document = _document(remove, by_pk)
            if document is None:
                raise Http404
            services.document_remove(document=document, actor=request.user)
            messages.info(request, _("材料已删除。"))
        elif pledge := request.POST.get("pledge"):
            binding_pk, _sep, on = pledge.partition("-")
            binding = by_pk.get(int(binding_pk))
            if binding is None:
                raise Http404
            services.binding_set_pledge(binding=binding, pledge=on == "1")
            messages.info(request, _("已选择以个人承诺代替证明材料。") if binding.pledge else _("已取消承诺代替。"))
        elif "upload" in request.POST and not chosen:
            messages.error(request, _("请先拍照或选择要上传的文件。"))
    except ValueError:
        raise Http404 from None
    except BindingError as exc:
        messages.error(request, exc.message)
    button = request.POST.get("goto", "")
    goto = (next_urls or {}).get(button)
    if goto and not refused:
        if on_goto and button in on_goto:
            on_goto[button]()
        return redirect(goto)
    return redirect(redirect_to)


def _json_answer(request, chosen, stored, refused):
    """One file from static/js/upload.js: the message, the stored document and the item re-rendered."""
    if len(chosen) != 1:
        return JsonResponse({"ok": False, "message": _("请先拍照或选择要上传的文件。")}, status=400)
    item = chosen[0]
    (row,) = proof_rows([Binding.objects.select_related("relative", "authorizer").get(pk=item.binding.pk)])
    rendered = next((i for i in row["items"] if i["requirement"].kind == item.kind), None)
    html = ""
    if rendered is not None:
        html = render_to_string(
            "includes/proof_item.html", {"row": row, "item": rendered, "editable": True}, request=request
        )
    if refused:
        return JsonResponse({"ok": False, "message": refused[0][1], "html": html}, status=400)
    document = stored[0][1]
    return JsonResponse(
        {
            "ok": True,
            "message": _("%(what)s已上传。") % {"what": item.label},
            "html": html,
            "document": {
                "id": document.pk,
                "kind": document.kind,
                "content_type": document.content_type,
                "size": document.size,
                # The private view, which checks who may look and logs the look: never a public media URL.
                "thumbnail_url": reverse("bindings:document", args=[document.pk]),
            },
        }
    )
