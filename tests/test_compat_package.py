"""The compat suite as a package: target options, client settings and the wheel.

Nothing here sends a request. The ``--aws`` tests build clients and read their
settings only.
"""

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from compat.conftest import _make_json_client, _make_query_client, _query_model_dir
from compat.target import DUMMY_ENVIRONMENT, TargetError, resolve_target

ROOT = Path(__file__).resolve().parent.parent
AWS_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "AKIAEXAMPLEKEY000001",
    "AWS_SECRET_ACCESS_KEY": "example-secret",
    "AWS_DEFAULT_REGION": "eu-west-1",
}


@pytest.fixture
def aws_environment(monkeypatch):
    """Credentials and region of a pretend AWS user, with no profile or config files."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SQS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/aws-config")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/aws-credentials")
    for name, value in AWS_ENVIRONMENT.items():
        monkeypatch.setenv(name, value)


def fail_on_send(**_):
    raise AssertionError("a client sent a request during a settings test")


def test_aws_target_keeps_environment(aws_environment):
    environ = dict(AWS_ENVIRONMENT)
    target = resolve_target(endpoint=None, aws=True, environ=environ)
    assert environ == AWS_ENVIRONMENT
    assert target.kind == "aws"
    assert target.endpoint_url is None
    assert target.region == "eu-west-1"
    assert target.client_arguments() == {"region_name": "eu-west-1"}


def test_aws_clients_use_credential_chain(aws_environment, tmp_path):
    target = resolve_target(endpoint=None, aws=True, environ={})
    clients = [
        _make_json_client(target),
        _make_query_client(target, _query_model_dir(tmp_path)),
    ]
    for client in clients:
        client.meta.events.register("before-send.sqs", fail_on_send)
        assert client.meta.endpoint_url == "https://sqs.eu-west-1.amazonaws.com"
        assert client.meta.region_name == "eu-west-1"
        credentials = client._request_signer._credentials.get_frozen_credentials()
        assert credentials.access_key == "AKIAEXAMPLEKEY000001"
        assert credentials.secret_key == "example-secret"
    assert [client.meta.service_model.protocol for client in clients] == ["json", "query"]


def test_aws_target_needs_region(aws_environment, monkeypatch):
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    with pytest.raises(TargetError, match="needs a region"):
        resolve_target(endpoint=None, aws=True, environ={})


def test_aws_and_endpoint_rejected(aws_environment):
    with pytest.raises(TargetError, match="exclude each other"):
        resolve_target(endpoint="http://127.0.0.1:4566", aws=True, environ={})


@pytest.mark.parametrize("endpoint", [None, "http://127.0.0.1:4566/"], ids=["sqslite", "endpoint"])
def test_local_target_forces_dummy_credentials(aws_environment, endpoint):
    environ = dict(AWS_ENVIRONMENT)
    target = resolve_target(endpoint=endpoint, aws=False, environ=environ)
    assert environ == DUMMY_ENVIRONMENT
    assert target.region == "us-east-1"
    arguments = target.with_endpoint("http://127.0.0.1:4566").client_arguments()
    assert arguments == {
        "region_name": "us-east-1",
        "endpoint_url": "http://127.0.0.1:4566",
        "aws_access_key_id": "test",
        "aws_secret_access_key": "test",
    }


def test_local_client_signs_with_dummy_keys(aws_environment):
    target = resolve_target(endpoint="http://127.0.0.1:4566", aws=False, environ={})
    client = _make_json_client(target)
    client.meta.events.register("before-send.sqs", fail_on_send)
    assert client.meta.endpoint_url == "http://127.0.0.1:4566"
    assert client._request_signer._credentials.access_key == "test"


def test_queue_prefix_unique_per_run(aws_environment):
    first = resolve_target(endpoint=None, aws=True, environ={}).queue_prefix
    second = resolve_target(endpoint=None, aws=True, environ={}).queue_prefix
    assert first.startswith("sqslite-compat-")
    assert first.endswith("-")
    assert first != second


def test_pytest_rejects_aws_with_endpoint():
    result = subprocess.run(
        [sys.executable, "-m", "pytest", str(ROOT / "compat"), "--collect-only", "-q",
         "--aws", "--endpoint", "http://127.0.0.1:1"],
        capture_output=True, text=True, timeout=60, cwd=ROOT,
    )
    assert result.returncode == 4
    assert "exclude each other" in result.stderr


def source_modules(folder: Path, package: str) -> set[str]:
    return {
        f"{package}/{path.relative_to(folder).as_posix()}"
        for path in folder.rglob("*.py")
        if "__pycache__" not in path.parts
    }


def test_wheel_contains_server_and_suite(tmp_path):
    """The wheel contains every module of sqslite/ and compat/, the suite as sqslite/compat/."""
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
         "-w", str(tmp_path), str(ROOT)],
        check=True, timeout=180, capture_output=True,
    )
    (wheel,) = tmp_path.glob("sqslite-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())

    expected = source_modules(ROOT / "sqslite", "sqslite")
    expected |= source_modules(ROOT / "compat", "sqslite/compat")
    assert sorted(expected - names) == []
    assert "sqslite/compat/README.md" in names
    assert "sqslite/wire/sqs-2012-11-05.json" in names


def test_package_entry_point_help():
    result = subprocess.run(
        [sys.executable, "-m", "compat", "--help"],
        capture_output=True, text=True, timeout=60, cwd=ROOT,
    )
    assert result.returncode == 0
    assert "--endpoint" in result.stdout
    assert "--aws" in result.stdout
    assert "--report" in result.stdout
