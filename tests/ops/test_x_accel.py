"""DOCUMENT_X_ACCEL_REDIRECT: the view checks and logs, nginx sends the file (filesystem storage)."""

import pytest

from bindings.models import DocumentAccess

pytestmark = pytest.mark.django_db

PREFIX = "/_private_documents/"


def test_the_view_hands_the_file_to_nginx(client, document, settings):
    settings.DOCUMENT_X_ACCEL_REDIRECT = PREFIX
    client.force_login(document.owner)
    response = client.get(f"/bindings/documents/{document.pk}/")
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == PREFIX + document.storage_name
    assert response.content == b""  # the worker sends no bytes
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert "sandbox" in response["Content-Security-Policy"]
    assert DocumentAccess.objects.filter(document=document, user=document.owner).count() == 1


def test_nothing_is_handed_over_to_someone_else(client, document, outsider, settings):
    settings.DOCUMENT_X_ACCEL_REDIRECT = PREFIX
    client.force_login(outsider)
    response = client.get(f"/bindings/documents/{document.pk}/")
    assert response.status_code == 404
    assert "X-Accel-Redirect" not in response
    assert not DocumentAccess.objects.exists()


def test_without_the_setting_the_view_streams(client, document, settings):
    settings.DOCUMENT_X_ACCEL_REDIRECT = ""
    client.force_login(document.owner)
    response = client.get(f"/bindings/documents/{document.pk}/")
    assert "X-Accel-Redirect" not in response
    assert len(b"".join(response.streaming_content)) == document.size


def test_the_nginx_example_matches(settings):
    """The example's internal location is the prefix the setting's documentation names."""
    from pathlib import Path

    example = (Path(settings.BASE_DIR) / "deploy" / "nginx.conf.example").read_text()
    assert f"location {PREFIX} {{\n        internal;" in example
    assert "client_max_body_size" in example
