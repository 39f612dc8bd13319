"""Hostile input on both protocols: every response is a well-formed SQS error or a success.

The module's server is a real process (tests.serving.ServerProcess); the
property tests with many examples also run in process through
httpx.ASGITransport, which is faster. A sentinel queue with known messages,
attributes and tags is created first, and every test checks that nothing
sent to other queues, accounts or malformed URLs changed it.
"""

from __future__ import annotations

import json
import socket
import xml.etree.ElementTree as ET
from base64 import b64encode
from urllib.parse import urlencode

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sqslite.app import Settings, create_app
from sqslite.service.service import OPERATIONS

from .robustness import QUIET, sqs_client
from .serving import ServerProcess

JSON_TYPE = "application/x-amz-json-1.0"
FORM_TYPE = "application/x-www-form-urlencoded"
SENTINEL = "sentinel"
SENTINEL_BODIES = ["first", "second", "third"]
EXAMPLES = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

HOSTILE_TEXT = [
    "'; DROP TABLE messages; --",
    "\" OR 1=1 --",
    "../../etc/passwd",
    "..%2F..%2Fetc",
    "%00",
    "\x00",
    "a\x00b",
    "\x1b[31m",
    "\r\nX-Injected: 1",
    "\ud800",
    "\uffff",
    "😀" * 50,
    "x" * 300,
    "",
    " ",
    "sentinel%",
    "sentinel_",
    "*",
    "%",
    "_",
]
HOSTILE_URLS = [
    "http://127.0.0.1/111111111111/sentinel",
    "http://127.0.0.1/999999999999/sentinel",
    "http://127.0.0.1/000000000000/sentinel/extra",
    "http://127.0.0.1/000000000000/../sentinel",
    "http://127.0.0.1/000000000000/sentinel%00",
    "http://127.0.0.1/000000000000/sentinel'--",
    "http://127.0.0.1/not-an-account/sentinel",
    "http://",
    "://",
    "http:///",
    "not a url",
    "/",
    "//",
    "/000000000000/",
    "http://127.0.0.1:99999999/000000000000/x",
    "file:///etc/passwd",
    "0" * 2000,
]

text = st.one_of(st.sampled_from(HOSTILE_TEXT), st.text(max_size=60))
index = st.one_of(
    st.integers(min_value=-2, max_value=12),
    st.sampled_from([999999, 10**12, 10**40]),
    st.text(alphabet="0123456789-+. x", max_size=6),
)
queue_url = st.one_of(
    st.sampled_from(HOSTILE_URLS), text, st.builds(lambda n: f"http://127.0.0.1/000000000000/{n}", text)
)


# Checking answers


def check_json_answer(response: httpx.Response) -> None:
    """Assert a JSON-protocol response is a success or a well-formed SQS error."""
    assert response.status_code < 500, response.text
    document = json.loads(response.content)
    assert isinstance(document, dict), response.text
    if response.status_code == 200:
        return
    assert isinstance(document.get("__type"), str), response.text
    assert isinstance(document.get("message"), str), response.text
    query_error = response.headers.get("x-amzn-query-error")
    assert query_error is not None, response.text
    code, fault = query_error.split(";")
    assert code
    assert fault in ("Sender", "Receiver")


def check_query_answer(response: httpx.Response) -> None:
    """Assert a query-protocol response is a success or a well-formed XML ErrorResponse."""
    assert response.status_code < 500, response.text
    root = ET.fromstring(response.content)
    if response.status_code == 200:
        assert root.tag.endswith("Response"), response.text
        return
    assert root.tag.endswith("ErrorResponse"), response.text
    namespace = root.tag[: -len("ErrorResponse")]
    error = root.find(f"{namespace}Error")
    assert error is not None, response.text
    assert error.findtext(f"{namespace}Code"), response.text
    assert error.findtext(f"{namespace}Message") is not None, response.text
    assert root.findtext(f"{namespace}RequestId"), response.text


def check_answer(response: httpx.Response, sent_target: bool) -> None:
    if sent_target:
        check_json_answer(response)
    else:
        check_query_answer(response)


# Server, sentinel queue and snapshots


def create_sentinel(url: str) -> None:
    sqs = sqs_client(url)
    queue = sqs.create_queue(
        QueueName=SENTINEL,
        Attributes={"VisibilityTimeout": "45", "DelaySeconds": "0"},
        tags={"owner": "tests"},
    )["QueueUrl"]
    for body in SENTINEL_BODIES:
        sqs.send_message(
            QueueUrl=queue,
            MessageBody=body,
            MessageAttributes={"kind": {"DataType": "String", "StringValue": body}},
        )


def sentinel_state(url: str) -> dict:
    """Return the sentinel's attributes, tags and counts without receiving a message."""
    sqs = sqs_client(url)
    queue = sqs.get_queue_url(QueueName=SENTINEL)["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["All"])["Attributes"]
    return {
        "attributes": attributes,
        "tags": sqs.list_queue_tags(QueueUrl=queue).get("Tags"),
    }


@pytest.fixture(scope="module")
def server():
    process = ServerProcess(*QUIET)
    create_sentinel(process.url)
    before = sentinel_state(process.url)
    yield process
    after = sentinel_state(process.url)
    sqs = sqs_client(process.url)
    queue = sqs.get_queue_url(QueueName=SENTINEL)["QueueUrl"]
    messages = sqs.receive_message(
        QueueUrl=queue, MaxNumberOfMessages=10, MessageAttributeNames=["All"]
    ).get("Messages", [])
    status, output = process.stop()
    assert after == before
    assert sorted(message["Body"] for message in messages) == sorted(SENTINEL_BODIES)
    for message in messages:
        assert message["MessageAttributes"]["kind"]["StringValue"] == message["Body"]
    assert status == 0, output
    assert "Traceback" not in output, output


@pytest.fixture
def http(server):
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield client
    assert sentinel_state(server.url)["attributes"]["ApproximateNumberOfMessages"] == "3"


def post_json(client, target, body, content_type=JSON_TYPE, path="/"):
    headers = {}
    if target is not None:
        headers["X-Amz-Target"] = target.encode("latin-1")
    if content_type is not None:
        headers["Content-Type"] = content_type.encode("latin-1")
    return client.post(path, content=body, headers=headers)


def post_query(client, fields, path="/", content_type=FORM_TYPE):
    if isinstance(fields, bytes):
        body = fields
    else:
        # A lone surrogate becomes percent-encoded bytes that are not valid UTF-8.
        body = urlencode(fields, encoding="utf-8", errors="surrogatepass").encode()
    headers = {"Content-Type": content_type} if content_type is not None else {}
    return client.post(path, content=body, headers=headers)


# Property tests against the server process


json_value = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(10**30), max_value=10**30),
        st.floats(allow_nan=False),
        text,
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.one_of(text, st.sampled_from(["Id", "DataType", "StringValue"])), children, max_size=4),
    ),
    max_leaves=12,
)
member_names = st.sampled_from(
    [
        "QueueUrl",
        "QueueName",
        "Attributes",
        "MessageBody",
        "MessageAttributes",
        "ReceiptHandle",
        "Entries",
        "AttributeNames",
        "MessageAttributeNames",
        "MaxNumberOfMessages",
        "WaitTimeSeconds",
        "VisibilityTimeout",
        "DelaySeconds",
        "tags",
        "TagKeys",
        "SourceArn",
        "NextToken",
        "MaxResults",
    ]
)


@EXAMPLES
@given(
    operation=st.sampled_from(OPERATIONS),
    document=st.dictionaries(member_names, st.one_of(json_value, queue_url), max_size=5),
)
def test_json_members_of_any_type(http, operation, document):
    if "WaitTimeSeconds" in document:
        document["WaitTimeSeconds"] = 0
    response = post_json(http, f"AmazonSQS.{operation}", json.dumps(document))
    check_json_answer(response)


# Characters allowed in an HTTP field value (RFC 9110, section 5.5), Latin-1 only.
header_text = st.text(
    alphabet=st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"),
    max_size=40,
).map(str.strip)


@EXAMPLES
@given(
    target=st.one_of(
        st.none(), header_text, st.sampled_from(["AmazonSQS.", "AmazonSQS.ListQueues"])
    ),
    content_type=st.one_of(
        st.none(), header_text, st.sampled_from([JSON_TYPE, FORM_TYPE, "text/xml"])
    ),
    body=st.binary(max_size=300),
)
def test_random_bytes_and_headers(http, target, content_type, body):
    response = post_json(http, target, body, content_type=content_type)
    check_answer(response, sent_target=target is not None)


@pytest.mark.parametrize("value", ["\x1b[31m", "a\x00b", "\x7f"], ids=["escape", "nul", "delete"])
def test_invalid_header_characters(server, value):
    """Reject a header value with control characters at the HTTP layer, with a 400.

    uvicorn's parser rejects such a request before sqslite sees it, so the
    response is plain text, not an SQS error.
    """
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as connection:
        connection.sendall(
            b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: "
            + value.encode("latin-1")
            + b"\r\nContent-Length: 2\r\n\r\n{}"
        )
        status_line = connection.recv(4096).split(b"\r\n", 1)[0]
    assert status_line.split()[1] in (b"200", b"400"), status_line


query_names = st.one_of(
    st.sampled_from(["Action", "Version", "QueueUrl", "QueueName", "MessageBody", "ReceiptHandle"]),
    st.builds(
        lambda prefix, number, suffix: f"{prefix}.{number}{suffix}",
        st.sampled_from(
            [
                "Attribute",
                "AttributeName",
                "MessageAttribute",
                "MessageAttributeName",
                "SendMessageBatchRequestEntry",
                "DeleteMessageBatchRequestEntry",
                "Tag",
                "TagKey",
            ]
        ),
        index,
        st.sampled_from(
            ["", ".Name", ".Value", ".Id", ".MessageBody", ".Value.StringValue", ".Value.DataType", ".Key"]
        ),
    ),
    text,
)


@EXAMPLES
@given(
    action=st.one_of(st.sampled_from(OPERATIONS), text),
    fields=st.lists(st.tuples(query_names, st.one_of(text, queue_url)), max_size=12),
    path=st.sampled_from(["/", "/000000000000/sentinel-other", "/111111111111/sentinel", "/x/y/z"]),
)
def test_query_fields_of_any_shape(http, action, fields, path):
    response = post_query(http, [("Action", action), *fields], path=path)
    check_query_answer(response)


# Hand-written cases


NESTED_ARRAY = b"[" * 100_000 + b"]" * 100_000
NESTED_OBJECT = b'{"a":' * 50_000 + b"1" + b"}" * 50_000


@pytest.mark.parametrize(
    "body",
    [
        NESTED_ARRAY,
        NESTED_OBJECT,
        b"\xff\xfe\xfd",
        b'{"QueueName": "\xc3\x28"}',
        b'{"QueueName": "a\\u0000b"}',
        b'{"QueueName": "\\ud800"}',
        b"null",
        b"[]",
        b'"string"',
        b"{" * 3,
        b'{"MaxResults": 1e400}',
        b'{"MaxResults": NaN}',
        b'{"MaxResults": 99999999999999999999999999999}',
        b'{"QueueNamePrefix": "' + b"a" * 2_000_000 + b'"}',
        json.dumps({f"key{number}": number for number in range(50_000)}).encode(),
    ],
    ids=lambda body: repr(body[:24]),
)
def test_json_malformed_bodies(http, body):
    check_json_answer(post_json(http, "AmazonSQS.ListQueues", body))


@pytest.mark.parametrize(
    "target",
    ["", "AmazonSQS", "AmazonSQS.", "AmazonSQS.__init__", "AmazonSQS.close", "AmazonSQS.call",
     "AmazonSQS.sweep", "amazonsqs.ListQueues", "AmazonSQS.ListQueues.", "AmazonSQS.List Queues"],
)
def test_json_bad_targets(http, target):
    response = post_json(http, target, b"{}")
    check_json_answer(response)
    assert response.status_code == 400


@pytest.mark.parametrize("content_type", [None, "", "text/plain", "application/json", "\xff"])
def test_json_wrong_content_type(http, content_type):
    check_json_answer(post_json(http, "AmazonSQS.ListQueues", b"{}", content_type=content_type))


@pytest.mark.parametrize(
    "body",
    [
        b"\xff\xfe",
        b"Action=ListQueues&QueueNamePrefix=%ff%fe",
        b"Action=CreateQueue&QueueName=q1&Attribute.999999.Name=VisibilityTimeout"
        b"&Attribute.999999.Value=5",
        b"Action=CreateQueue&QueueName=q2&Attribute.1.Name=VisibilityTimeout"
        b"&Attribute.1.Name=DelaySeconds&Attribute.1.Value=5",
        b"Action=CreateQueue&QueueName=q3&Attribute.10000000000000000000000000.Name=DelaySeconds",
        b"Action=CreateQueue&QueueName=q4&Attribute.-1.Name=DelaySeconds&Attribute.-1.Value=1",
        b"Action=CreateQueue&QueueName=q5&Attribute.1.Name=VisibilityTimeout",
        b"Action=SendMessageBatch&QueueUrl=q1&SendMessageBatchRequestEntry.999999.Id=a",
        b"Action=ReceiveMessage&QueueUrl=q1&AttributeName.99999999999=All",
        b"Action=ReceiveMessage&QueueUrl=q1&MaxNumberOfMessages=1e3",
        b"Action=ListQueues&Action=CreateQueue",
        b"Action=&Version=",
        b"Action",
        b"=&=&&&==",
        b"Action=ListQueues&" + b"&".join(b"Attribute.%d.Name=x" % n for n in range(20_000)),
        b"Action=SendMessage&QueueUrl=q1&MessageBody=%00%01%1b",
        b"Action=SendMessage&QueueUrl=q1&MessageBody=" + b"x" * 2_000_000,
    ],
    ids=lambda body: repr(body[:40]),
)
def test_query_malformed_bodies(http, body):
    check_query_answer(post_query(http, body))


@pytest.mark.parametrize("url", HOSTILE_URLS)
@pytest.mark.parametrize(
    "operation",
    ["SendMessage", "PurgeQueue", "DeleteQueue", "SetQueueAttributes", "TagQueue", "ReceiveMessage"],
)
def test_hostile_queue_urls_on_both_protocols(http, url, operation):
    params = {
        "QueueUrl": url,
        "MessageBody": "intruder",
        "Attributes": {"VisibilityTimeout": "0"},
        "Tags": {"owner": "intruder"},
    }
    check_json_answer(post_json(http, f"AmazonSQS.{operation}", json.dumps(params)))
    fields = [("Action", operation), ("QueueUrl", url), ("MessageBody", "intruder"),
              ("Attribute.1.Name", "VisibilityTimeout"), ("Attribute.1.Value", "0"),
              ("Tag.1.Key", "owner"), ("Tag.1.Value", "intruder")]
    check_query_answer(post_query(http, fields))


@pytest.mark.parametrize("name", HOSTILE_TEXT)
def test_hostile_names_and_handles(http, name):
    """SQL and path metacharacters as queue, attribute and tag names and as receipt handles."""
    check_json_answer(post_json(http, "AmazonSQS.CreateQueue", json.dumps({"QueueName": name})))
    check_json_answer(post_json(http, "AmazonSQS.GetQueueUrl", json.dumps({"QueueName": name})))
    check_json_answer(
        post_json(http, "AmazonSQS.ListQueues", json.dumps({"QueueNamePrefix": name}))
    )
    other = json.loads(
        post_json(http, "AmazonSQS.CreateQueue", json.dumps({"QueueName": "other"})).content
    )["QueueUrl"]
    for operation, params in [
        ("DeleteMessage", {"ReceiptHandle": name}),
        ("ChangeMessageVisibility", {"ReceiptHandle": name, "VisibilityTimeout": 0}),
        ("GetQueueAttributes", {"AttributeNames": [name]}),
        ("SetQueueAttributes", {"Attributes": {name: name}}),
        ("TagQueue", {"Tags": {name: name}}),
        ("UntagQueue", {"TagKeys": [name]}),
        ("SendMessage", {"MessageBody": "b", "MessageAttributes": {
            name: {"DataType": "String", "StringValue": name}}}),
        ("DeleteMessageBatch", {"Entries": [{"Id": name, "ReceiptHandle": name}]}),
    ]:
        check_json_answer(
            post_json(http, f"AmazonSQS.{operation}", json.dumps({"QueueUrl": other, **params}))
        )
    check_query_answer(post_query(http, [("Action", "CreateQueue"), ("QueueName", name)]))
    check_query_answer(
        post_query(http, [("Action", "DeleteMessage"), ("QueueUrl", other), ("ReceiptHandle", name)])
    )
    check_query_answer(
        post_query(
            http,
            [("Action", "GetQueueAttributes"), ("QueueUrl", other), ("AttributeName.1", name)],
        )
    )


def test_sentinel_receipt_handle_on_other_queue(http, server):
    """Reject a genuine handle of the sentinel used against another queue."""
    sqs = sqs_client(server.url)
    sentinel = sqs.get_queue_url(QueueName=SENTINEL)["QueueUrl"]
    other = sqs.create_queue(QueueName="handle-thief")["QueueUrl"]
    message = sqs.receive_message(QueueUrl=sentinel, VisibilityTimeout=0)["Messages"][0]
    for operation in ("DeleteMessage", "ChangeMessageVisibility"):
        params = {"QueueUrl": other, "ReceiptHandle": message["ReceiptHandle"], "VisibilityTimeout": 0}
        response = post_json(http, f"AmazonSQS.{operation}", json.dumps(params))
        check_json_answer(response)
        assert response.status_code == 400
    forged = b64encode(b"sqslite:1 OR 1=1:1:x").decode()
    response = post_json(
        http, "AmazonSQS.DeleteMessage", json.dumps({"QueueUrl": other, "ReceiptHandle": forged})
    )
    check_json_answer(response)
    assert response.status_code == 400


@pytest.mark.parametrize(
    "path",
    ["/..", "/%2e%2e/%2e%2e/etc/passwd", "/000000000000/sentinel%00", "/a/b/c/d/e", "/%ff", "/;"],
)
@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "DELETE"])
def test_hostile_paths_and_methods(http, path, method):
    response = http.request(method, path, content=b"Action=SendMessage&MessageBody=intruder",
                            headers={"Content-Type": FORM_TYPE})
    check_query_answer(response)


@pytest.mark.parametrize("url", ["http://[::1", "http://[/000000000000/sentinel"])
def test_unclosed_ipv6_queue_url(url):
    """Answer an unparseable queue URL with a client error, in process to keep the server log clean."""
    import asyncio

    async def exchange():
        transport = httpx.ASGITransport(app=create_app(Settings()))
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            return await client.post(
                "/",
                content=json.dumps({"QueueUrl": url, "MessageBody": "x"}),
                headers={"X-Amz-Target": "AmazonSQS.SendMessage", "Content-Type": JSON_TYPE},
            )

    check_json_answer(asyncio.run(exchange()))


def test_server_still_healthy(server):
    assert httpx.get(f"{server.url}/_sqslite/health").status_code == 200


# In process, for speed


@settings(max_examples=200, deadline=None)
@given(
    operation=st.sampled_from(OPERATIONS),
    document=st.dictionaries(member_names, st.one_of(json_value, queue_url), max_size=5),
    fields=st.lists(st.tuples(query_names, st.one_of(text, queue_url)), max_size=10),
)
def test_in_process_both_protocols(operation, document, fields):
    import asyncio

    document.pop("WaitTimeSeconds", None)
    application = _shared_application()

    async def exchange():
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            json_response = await client.post(
                "/",
                content=json.dumps(document),
                headers={"X-Amz-Target": f"AmazonSQS.{operation}", "Content-Type": JSON_TYPE},
            )
            query_response = await client.post(
                "/",
                content=urlencode(
                    [("Action", operation), *fields], encoding="utf-8", errors="surrogatepass"
                ),
                headers={"Content-Type": FORM_TYPE},
            )
        return json_response, query_response

    json_response, query_response = asyncio.run(exchange())
    check_json_answer(json_response)
    check_query_answer(query_response)


_APPLICATION = []


def _shared_application():
    if not _APPLICATION:
        _APPLICATION.append(create_app(Settings()))
    return _APPLICATION[0]
