"""A Starlette app that returns a fixed response to every SQS request.

It reads the request body and returns constant bytes, so its throughput is
an upper bound for any Starlette app on the same uvicorn and machine. The bench
starts it with the uvicorn settings that `sqslite serve` uses.
"""

from __future__ import annotations

import argparse
import json

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

JSON_CONTENT_TYPE = "application/x-amz-json-1.0"
REQUEST_ID = "00000000-0000-0000-0000-000000000000"
SEND_MESSAGE_RESPONSE = json.dumps(
    {
        "MD5OfMessageBody": "d41d8cd98f00b204e9800998ecf8427e",
        "MessageId": "11111111-1111-1111-1111-111111111111",
    }
).encode()
# CreateQueue gets a queue URL so that the send scenario can start as it does
# against a real endpoint.
CREATE_QUEUE_RESPONSE = json.dumps({"QueueUrl": "http://127.0.0.1/000000000000/ceiling"}).encode()


async def respond(request: Request) -> Response:
    await request.body()
    if request.headers.get("x-amz-target") == "AmazonSQS.CreateQueue":
        payload = CREATE_QUEUE_RESPONSE
    else:
        payload = SEND_MESSAGE_RESPONSE
    return Response(payload, headers={"x-amzn-RequestId": REQUEST_ID}, media_type=JSON_CONTENT_TYPE)


app = Starlette(routes=[Route("/{path:path}", respond, methods=["GET", "POST"])])


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve the fixed-response ceiling app.")
    parser.add_argument("--port", type=int, required=True, help="TCP port on 127.0.0.1")
    parser.add_argument(
        "--log-level", default="warning", help="uvicorn log level (default: warning)"
    )
    args = parser.parse_args()
    # These match the uvicorn.Config that `sqslite serve` builds: default
    # loop and HTTP implementation (uvloop and httptools when installed),
    # no access log, lifespan on.
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=args.port,
        log_level=args.log_level,
        access_log=False,
        lifespan="on",
    )


if __name__ == "__main__":
    main()
