"""Demo cases made through the real services, so the clerk's queue has something to decide."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from accounts.models import InsuredPerson
from bindings.services import RelativeInput
from policies.models import Region

from . import services
from .models import Binding


def _certificate_photo() -> SimpleUploadedFile:
    image = Image.new("RGB", (1000, 700), (186, 32, 38))
    draw = ImageDraw.Draw(image)
    draw.rectangle((60, 60, 940, 640), outline=(240, 200, 90), width=8)
    draw.text((420, 320), "DEMO", fill=(240, 200, 90))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG")
    return SimpleUploadedFile("marriage.jpg", buffer.getvalue(), content_type="image/jpeg")


def demo_pending_case() -> str:
    """Idempotent: does nothing when the case exists, or when the policy data is not loaded yet."""
    if not Region.objects.exists():
        return "Policies not loaded: no pending demo case (run load_policies first)."
    husband = InsuredPerson.objects.filter(name="陈国栋", city_code="510400").select_related("account").first()
    wife = InsuredPerson.objects.filter(name="周秀兰", city_code="510400").first()
    if husband is None or wife is None or Binding.objects.filter(authorizer=husband, relative=wife).exists():
        return ""
    user = husband.account
    application = services.application_start(authorizer=husband, actor=user)
    data = RelativeInput("resident_id", wife.id_number, wife.name, "spouse")
    result = services.binding_add_relative(application=application, data=data, actor=user)
    if result.binding is None:
        return "Pending demo case refused: " + "；".join(r.message for r in result.verdict.reasons)
    services.document_add(binding=result.binding, kind="marriage_certificate", upload=_certificate_photo(), actor=user)
    services.application_submit(application=application, actor=user, commitment=True)
    return f"Pending demo case {application.case_number} waits in 攀枝花's review queue."
