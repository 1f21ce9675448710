"""The MCP server over streamable HTTP at /mcp, in the same Flask app (and process) as the
pages and the API.

The SDK serves streamable HTTP as an ASGI app; this is a WSGI app. /mcp is a Flask view that
authenticates the bearer token (401 before anything else), reads the body within
MAX_CONTENT_LENGTH (413, as for the API), and hands the request to the SDK's transport in
stateless, JSON-response mode: one POST carries one JSON-RPC message and gets one JSON answer,
so no session or stream outlives the request, any worker or host can answer any request, and
gunicorn's sync or threaded workers serve it as they serve the API. The SDK runs on an event
loop of this request's own, in this thread, so the tools run inside this request's Flask
context (app.agents.calls); a streamed answer is never needed (the tools send no progress).
"""

from __future__ import annotations

from typing import Any

import anyio
from flask import Blueprint, Response, current_app, jsonify, request

from app.accounts.tokens import bearer_token
from app.api.auth import token_holder
from app.api.envelope import service_error
from app.exceptions import ServiceError

bp = Blueprint("agents", __name__)
bp.register_error_handler(ServiceError, service_error)


@bp.post("/mcp")
def mcp_endpoint():
    if bearer_token(request.headers.get("Authorization")) is None:
        return _unauthorized("Send an API token as 'Authorization: Bearer <token>'.")
    if token_holder() is None:
        return _unauthorized("The API token is not valid or has been revoked.")
    body = request.get_data()  # past MAX_CONTENT_LENGTH: 413, before the SDK sees anything
    status, headers, answer = serve(body)
    return Response(answer, status=status, headers=headers)


def serve(body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
    """Run the SDK's streamable HTTP transport for this request; its status, headers, body."""
    from mcp.server.streamable_http_manager import StreamableHTTPSessionManager

    from app.agents import mcp_server

    server = mcp_server(current_app._get_current_object())  # type: ignore[attr-defined]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": request.method,
        "scheme": request.scheme,
        "path": "/mcp",
        "raw_path": b"/mcp",
        "root_path": "",
        "query_string": request.query_string,
        "headers": [
            (name.lower().encode("latin-1"), value.encode("latin-1"))
            for name, value in request.headers.items()
        ],
        "client": (request.remote_addr or "", 0),
        "server": (request.host.partition(":")[0], 0),
    }
    answer: dict[str, Any] = {"status": 500, "headers": [], "body": []}

    async def exchange() -> None:
        finished = anyio.Event()
        delivered = False

        async def receive() -> dict[str, Any]:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            await finished.wait()  # the client "disconnects" once it has its answer
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                answer["status"], answer["headers"] = message["status"], message["headers"]
            elif message["type"] == "http.response.body":
                answer["body"].append(message.get("body", b""))
                if not message.get("more_body"):
                    finished.set()

        # One manager per request: stateless, its task group lives as long as the request.
        manager = StreamableHTTPSessionManager(
            server._lowlevel_server,  # as the SDK's own in-process client reaches it
            json_response=True,
            stateless=True,
            max_request_body_size=current_app.config["MAX_CONTENT_LENGTH"],
        )
        async with manager.run():
            await manager.handle_request(scope, receive, send)

    anyio.run(exchange)
    headers = [
        (name.decode("latin-1"), value.decode("latin-1"))
        for name, value in answer["headers"]
        if name.lower() != b"content-length"
    ]
    return answer["status"], headers, b"".join(answer["body"])


def _unauthorized(message: str) -> tuple[Response, int, dict[str, str]]:
    body = {"success": False, "error": {"code": "unauthorized", "message": message}}
    return jsonify(body), 401, {"WWW-Authenticate": 'Bearer realm="mcp"'}
