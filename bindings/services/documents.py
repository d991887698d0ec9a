"""Proof documents on a draft or returned case: sanitized, stored privately, removed with their file."""

from django.db import transaction
from django.utils.translation import gettext as _

from .. import uploads
from ..codes import BindingCode
from ..models import Binding, Document
from ..transitions import Action
from .core import BindingError, binding_verdict, ensure_allowed, lock_binding


def document_add(*, binding: Binding, kind: str, upload, actor) -> Document:
    """Sanitize, store privately, record. A refusal or failure leaves neither a row nor a file."""
    wanted = {r.kind for r in binding_verdict(binding=binding).proof if r.upload_required}
    if kind not in wanted:
        raise BindingError(_("该材料不在本次申请的材料清单中，请按清单上传。"), code=BindingCode.PROOF_KIND_NOT_ASKED)
    sanitized = uploads.sanitize_upload(upload)  # raises DocumentRejected
    existing_total = sum(binding.application.bindings.values_list("documents__size", flat=True).exclude(documents=None))
    uploads.check_application_total(existing_total, sanitized.size)
    name = uploads.store_document(sanitized)
    try:
        with transaction.atomic():
            locked = lock_binding(binding)
            ensure_allowed(locked, Action.EDIT_PROOF, _("该申请已提交，不能再上传材料。"))
            duplicate = Document.objects.filter(binding=locked, kind=kind, sha256=sanitized.sha256).first()
            if duplicate:
                uploads.delete_document(name)
                return duplicate
            return Document.objects.create(
                binding=locked,
                kind=kind,
                storage_name=name,
                content_type=sanitized.content_type,
                size=sanitized.size,
                sha256=sanitized.sha256,
                width=sanitized.width,
                height=sanitized.height,
                pages=sanitized.pages,
                uploaded_by=actor,
            )
    except BaseException:
        uploads.delete_document(name)
        raise


@transaction.atomic
def document_remove(*, document: Document, actor) -> None:
    binding = lock_binding(document.binding)
    ensure_allowed(binding, Action.EDIT_PROOF, _("该申请已提交，不能删除材料。"))
    name = document.storage_name
    document.delete()
    transaction.on_commit(lambda: uploads.delete_document(name))


def document_replace(*, document: Document, upload, actor) -> Document:
    """重拍/重新选择: file the new document, then remove the one it replaces. A refused upload leaves the old
    document in place and stores nothing. Two steps, not one transaction: document_add cleans up its own file
    only within its own transaction, so an outer rollback could leave one behind; if the removal is refused
    (the case was submitted meanwhile), both documents stay, which loses nothing."""
    new = document_add(binding=document.binding, kind=document.kind, upload=upload, actor=actor)
    if new.pk != document.pk:  # the same photo again is no change
        document_remove(document=document, actor=actor)
    return new
