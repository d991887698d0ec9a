"""Storage options shared by the production profile and the tests that run them against an S3 server."""


def s3_storage(
    *,
    bucket: str,
    endpoint_url: str | None = None,
    region: str | None = None,
    access_key: str | None = None,
    secret_key: str | None = None,
    addressing_style: str | None = None,
    sse: str = "",
) -> dict:
    """The STORAGES entry for proof documents in S3-compatible object storage, private in every respect.

    - No ACL is sent (default_acl None): an object is private to the bucket owner whatever the server, and
      uploads still work on buckets with ACLs disabled (AWS's default since 2023).
    - No URL is handed out: documents are read only through the permission-checked view, which streams
      them. querystring_auth keeps an accidental .url() a signed link that expires in a minute.
    - Short timeouts and few retries: an unreachable store fails a request quickly (the 503 page).
    """
    from botocore.config import Config

    object_parameters = {"CacheControl": "private, no-store"}
    if sse:
        object_parameters["ServerSideEncryption"] = sse
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint_url or None,
            "region_name": region or None,
            "access_key": access_key or None,
            "secret_key": secret_key or None,
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": 60,
            "file_overwrite": False,
            "custom_domain": None,
            "object_parameters": object_parameters,
            "client_config": Config(
                s3={"addressing_style": addressing_style or "auto"},
                signature_version="s3v4",
                connect_timeout=2,
                read_timeout=10,
                retries={"max_attempts": 2, "mode": "standard"},
            ),
        },
    }
