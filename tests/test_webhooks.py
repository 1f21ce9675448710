"""The Telnyx webhook when the app does not use Telnyx: refused, in the API's envelope."""


def test_without_telnyx_the_webhook_is_unavailable(client):
    answer = client.post(
        "/webhooks/telnyx", data=b"{}", headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 503
    body = answer.get_json()
    assert body["success"] is False and "TELNYX_PUBLIC_KEY" in body["error"]["message"]


def test_unknown_webhook_paths_answer_json_not_html(client):
    answer = client.post("/webhooks/nowhere")
    assert answer.status_code == 404 and answer.get_json()["error"]["code"] == "not_found"
