"""Proof documents in S3-compatible object storage, against a real S3 server (moto, in server mode, on loopback).

The storage options are production's own (config.storage.s3_storage), only pointed at the test server.
"""

import hashlib
import urllib.error
import urllib.request
import uuid
from types import SimpleNamespace

import boto3
import pytest

from config.storage import s3_storage
from tests.ops.conftest import free_port

pytestmark = pytest.mark.django_db

CREDENTIALS = {
    "aws_access_key_id": "hall-test",
    "aws_secret_access_key": "hall-test-secret",
    "region_name": "us-east-1",
}


@pytest.fixture(scope="module")
def s3_endpoint():
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


def _storage(bucket, endpoint):
    return s3_storage(
        bucket=bucket,
        endpoint_url=endpoint,
        region="us-east-1",
        access_key=CREDENTIALS["aws_access_key_id"],
        secret_key=CREDENTIALS["aws_secret_access_key"],
        addressing_style="path",
    )


@pytest.fixture
def s3(settings, s3_endpoint):
    """A fresh private bucket, and default storage pointed at it. Request it before `document`."""
    client = boto3.client("s3", endpoint_url=s3_endpoint, **CREDENTIALS)
    bucket = f"hall-docs-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=bucket)
    settings.STORAGES = {**settings.STORAGES, "default": _storage(bucket, s3_endpoint)}
    return SimpleNamespace(client=client, bucket=bucket, endpoint=s3_endpoint)


def anonymous_get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - our own loopback test server
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_an_uploaded_proof_is_a_private_object(s3, document):
    head = s3.client.head_object(Bucket=s3.bucket, Key=document.storage_name)
    assert head["ContentLength"] == document.size
    assert head["CacheControl"] == "private, no-store"
    grants = s3.client.get_object_acl(Bucket=s3.bucket, Key=document.storage_name)["Grants"]
    assert [g["Permission"] for g in grants] == ["FULL_CONTROL"]
    assert all(g["Grantee"]["Type"] == "CanonicalUser" for g in grants)
    # Anyone who learns the object's address gets nothing from the server ...
    assert anonymous_get(f"{s3.endpoint}/{s3.bucket}/{document.storage_name}") == 403
    # ... and that is the server's doing: a public object in the same bucket is served.
    s3.client.put_object(Bucket=s3.bucket, Key="control.txt", Body=b"public", ACL="public-read")
    assert anonymous_get(f"{s3.endpoint}/{s3.bucket}/control.txt") == 200


def test_an_accidental_url_is_signed_and_short_lived(s3, document):
    from django.core.files.storage import default_storage

    url = default_storage.url(document.storage_name)
    assert "X-Amz-Signature=" in url and "X-Amz-Expires=60" in url


def test_only_the_permission_checked_view_reads_it(s3, document, client, outsider, region_clerk):
    url = f"/bindings/documents/{document.pk}/"
    assert client.get(url).status_code == 302  # anonymous: to the sign-in page
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.force_login(region_clerk)
    assert client.get(url).status_code == 200
    client.force_login(document.owner)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert "X-Accel-Redirect" not in response
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == document.sha256


def test_x_accel_redirect_is_not_used_for_object_storage(s3, document, client, settings):
    settings.DOCUMENT_X_ACCEL_REDIRECT = "/_private_documents/"
    client.force_login(document.owner)
    response = client.get(f"/bindings/documents/{document.pk}/")
    assert response.status_code == 200
    assert "X-Accel-Redirect" not in response
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == document.sha256


def test_healthz_checks_the_bucket(s3, client):
    assert client.get("/healthz").json()["checks"] == {"database": "ok", "cache": "ok", "storage": "ok"}


def test_storage_down_healthz_says_so_and_the_view_answers_503(s3, document, client, settings):
    settings.STORAGES = {**settings.STORAGES, "default": _storage(s3.bucket, f"http://127.0.0.1:{free_port()}")}
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["storage"] == "down: EndpointConnectionError"
    client.force_login(document.owner)
    response = client.get(f"/bindings/documents/{document.pk}/")
    assert response.status_code == 503
    assert "服务暂时不可用" in response.content.decode()
