from tests.helpers import make_edition


def test_home_lists_editions(client, app):
    make_edition()
    response = client.get("/")
    assert response.status_code == 200
    assert "Budapest" in response.get_data(as_text=True)
