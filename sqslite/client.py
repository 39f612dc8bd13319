"""A small SQS client over the JSON 1.0 protocol, for the CLI's quick checks by hand.

It needs only the standard library. Requests carry no signature, because
sqslite does not check them. The account id goes in the access key id of
the Authorization header, from which sqslite takes the caller's account.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

DEFAULT_ENDPOINT = "http://127.0.0.1:9324"
TIMEOUT = 30.0  # seconds; more than the longest long poll of 20 s


class ClientError(Exception):
    """An SQS error response, or an endpoint that could not be reached."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class JsonClient:
    def __init__(self, endpoint: str = DEFAULT_ENDPOINT, account_id: str | None = None) -> None:
        self.endpoint = endpoint.rstrip("/")
        self.account_id = account_id

    def call(self, operation: str, params: dict) -> dict:
        """Run one SQS operation and return the decoded response; raise ClientError on failure."""
        headers = {
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": f"AmazonSQS.{operation}",
        }
        if self.account_id:
            headers["Authorization"] = (
                f"AWS4-HMAC-SHA256 Credential={self.account_id}/20240101/us-east-1/sqs/aws4_request"
            )
        request = urllib.request.Request(
            self.endpoint + "/", data=json.dumps(params).encode(), headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                return json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            raise self._decode_error(error) from None
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise ClientError(
                "EndpointUnreachable",
                f"cannot reach {self.endpoint}: {reason}; is `sqslite serve` running there?",
            ) from None

    @staticmethod
    def _decode_error(error: urllib.error.HTTPError) -> ClientError:
        body = error.read()
        try:
            document = json.loads(body)
        except ValueError:
            return ClientError(f"HTTP{error.code}", body.decode("utf-8", "replace")[:200])
        code = str(document.get("__type", f"HTTP{error.code}")).rpartition("#")[2]
        return ClientError(code, document.get("message", ""))

    def queue_url(self, name: str) -> str:
        return self.call("GetQueueUrl", {"QueueName": name})["QueueUrl"]

    def list_queue_urls(self, max_pages: int = 100) -> list[str]:
        """Return every queue URL of the account, following NextToken for up to max_pages."""
        urls: list[str] = []
        params: dict = {"MaxResults": 1000}
        for _ in range(max_pages):
            result = self.call("ListQueues", params)
            urls += result.get("QueueUrls", [])
            token = result.get("NextToken")
            if not token:
                break
            params["NextToken"] = token
        return urls


def post_operations_request(url: str, payload: dict, timeout: float = TIMEOUT) -> dict:
    """POST JSON to one of sqslite's own endpoints (/_sqslite/...) and return the JSON reply.

    Raises ClientError with the server's message when the server returns an
    error, such as the clock endpoint of a server without --test-clock.
    """
    request = urllib.request.Request(
        url,
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        decoded = JsonClient._decode_error(error)
        raise ClientError(decoded.code, f"{url}: {decoded.message}") from None
