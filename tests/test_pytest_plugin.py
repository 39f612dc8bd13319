"""Tests of the pytest plugin: a test file that only uses the sqslite_* fixtures."""

from __future__ import annotations

pytest_plugins = ["pytester"]

USES_FIXTURES = '''
import urllib.request


def test_endpoint_url(sqslite_endpoint_url):
    with urllib.request.urlopen(sqslite_endpoint_url + "/_sqslite/health") as reply:
        assert reply.status == 200


def test_queue_round_trip(sqslite_client, sqslite_queue):
    sqslite_client.send_message(QueueUrl=sqslite_queue, MessageBody="hello")
    messages = sqslite_client.receive_message(QueueUrl=sqslite_queue)["Messages"]
    assert [message["Body"] for message in messages] == ["hello"]


def test_queue_names_are_unique(sqslite_create_queue):
    first = sqslite_create_queue("jobs")
    second = sqslite_create_queue("jobs", fifo=True)
    assert first != second
    assert second.endswith(".fifo")


def test_reset_empties_server(sqslite_reset, sqslite_client):
    assert "QueueUrls" not in sqslite_client.list_queues()


def test_clock_ends_delay(sqslite_client, sqslite_queue, sqslite_clock):
    sqslite_client.send_message(QueueUrl=sqslite_queue, MessageBody="later", DelaySeconds=900)
    assert "Messages" not in sqslite_client.receive_message(QueueUrl=sqslite_queue)
    sqslite_clock.advance(901)
    assert "Messages" in sqslite_client.receive_message(QueueUrl=sqslite_queue)


def test_queues_deleted_after_tests(sqslite_client):
    assert "QueueUrls" not in sqslite_client.list_queues()
'''


def test_fixtures_in_a_test_file(pytester):
    pytester.makepyfile(USES_FIXTURES)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=6)


def test_fixtures_with_external_endpoint(pytester):
    from sqslite import Server

    pytester.makepyfile(
        '''
def test_server_is_external(sqslite_server, sqslite_endpoint_url, sqslite_queue):
    assert sqslite_server is None
    assert sqslite_queue.startswith(sqslite_endpoint_url)
'''
    )
    with Server() as server:
        result = pytester.runpytest(
            "-p", "no:cacheprovider", "--sqslite-endpoint", server.endpoint_url
        )
    result.assert_outcomes(passed=1)
