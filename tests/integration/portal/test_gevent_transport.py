"""The transport of the portal's calls in production (services/portal/gevent_transport.py),
against a real HTTP/1.1 server on loopback: what is asked arrives as asked, answers come back
whole with every header, a kept connection the server has closed is not a lost request, and a
service that does not answer is ServiceUnavailable."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from ipmarket.broker import free_port
from services.portal.gevent_transport import GeventTransport
from services.portal.service_api import ApiProblem, ServiceApi, ServiceUnavailable


class Recorder(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keeps connections, as gunicorn does
    asked: list = []
    connections: set = set()

    def do_GET(self):
        self._answer()

    def do_POST(self):
        self._answer()

    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        Recorder.asked.append((self.command, self.path, dict(self.headers), body))
        Recorder.connections.add(self.client_address)
        if self.path.startswith("/slow"):
            threading.Event().wait(1)
        status = 422 if self.path.startswith("/refused") else 200
        answer = json.dumps({"path": self.path, "名": "控制器"}, ensure_ascii=False).encode()
        if status == 422:
            answer = json.dumps({"title": "Invalid", "errors": [{"field": "q", "message": "No"}]})
            answer = answer.encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.send_header("Set-Cookie", "a=1; Path=/")
        self.send_header("Set-Cookie", "b=2; Path=/")
        self.end_headers()
        self.wfile.write(answer)
        # The server's keep-alive time-out, at once: the connection is closed after this answer
        # without saying so, as gunicorn closes one left idle.
        if self.path.startswith("/then-close"):
            self.server.closing = self.client_address
            self.close_connection = True

    def log_message(self, *args):
        pass


class Server(ThreadingHTTPServer):
    def __init__(self, *args):
        super().__init__(*args)
        self.closing = None  # the client address of the connection /then-close closes
        self.closed = threading.Event()  # set once the server has closed it

    def shutdown_request(self, request):
        try:
            peer = request.getpeername()
        except OSError:  # the client went first
            peer = None
        super().shutdown_request(request)
        if peer is not None and peer == self.closing:
            self.closed.set()

    def handle_error(self, request, client_address):
        pass  # /slow answering a client that gave up


@pytest.fixture
def server():
    Recorder.asked, Recorder.connections = [], set()
    httpd = Server(("127.0.0.1", free_port()), Recorder)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def api_of(server) -> ServiceApi:
    return ServiceApi(f"http://127.0.0.1:{server.server_address[1]}")  # the production transport


def test_a_call_arrives_as_asked_and_its_answer_comes_back_whole(server):
    api = api_of(server)
    headers = {"Ipmarket-Organisation": "org_1"}
    answer = api._answer("GET", "/v1/cores", "tok", headers, params={"q": "控制器 DDR5"})
    assert answer.data == {"path": "/v1/cores?q=%E6%8E%A7%E5%88%B6%E5%99%A8+DDR5", "名": "控制器"}
    sent = api._send("POST", "/v1/things", {"Accept": "application/json"}, json={"n": 1})
    assert sent.headers.get_list("set-cookie") == ["a=1; Path=/", "b=2; Path=/"]
    assert sent.cookies["b"] == "2"
    (_, _, got, _), (method, path, posted, body) = Recorder.asked
    assert got["Authorization"] == "Bearer tok" and got["Ipmarket-Organisation"] == "org_1"
    assert got["User-Agent"] == "ipmarket-portal"
    assert got["Host"] == f"127.0.0.1:{server.server_address[1]}"
    assert (method, path, json.loads(body)) == ("POST", "/v1/things", {"n": 1})
    assert posted["Content-Length"] == str(len(body))
    assert len(Recorder.connections) == 1  # the same connection, kept


def test_a_refusal_is_the_services_problem(server):
    with pytest.raises(ApiProblem) as refused:
        api_of(server)._answer("GET", "/refused")
    assert refused.value.status == 422 and refused.value.errors == {"q": ["No"]}


def test_a_connection_the_server_closed_while_kept_is_not_a_lost_request(server):
    api = api_of(server)
    api._answer("GET", "/then-close")
    assert server.closed.wait(5)
    # A POST is never sent twice; it must go on a new connection, not on the closed one.
    assert api._answer("POST", "/after", json={"n": 2}).data["path"] == "/after"
    assert [path for _, path, _, _ in Recorder.asked] == ["/then-close", "/after"]
    assert len(Recorder.connections) == 2


def test_a_service_that_does_not_answer_is_unavailable(server):
    closed = ServiceApi(f"http://127.0.0.1:{free_port()}")
    with pytest.raises(ServiceUnavailable):
        closed._answer("GET", "/v1/cores")
    base = f"http://127.0.0.1:{server.server_address[1]}"
    impatient = ServiceApi(base, GeventTransport(base, httpx.Timeout(0.2)))
    with pytest.raises(ServiceUnavailable):
        impatient._answer("GET", "/slow")


def test_a_header_no_request_may_carry_is_refused_before_it_is_sent(server):
    with pytest.raises(ServiceUnavailable):
        api_of(server)._answer("GET", "/v1/cores", headers={"X-Evil": "a\r\nInjected: 1"})
    assert Recorder.asked == []
