import pytest
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.test import Client
from django.urls import path

from tests import origin


@pytest.mark.parametrize(
    "html",
    [
        '<link rel="stylesheet" href="https://' + 'fonts.example.net/css">',
        '<script src="//cdn.example.com/x.js"></script>',
        '<form action="http://evil.example/post"></form>',
        '<img srcset="/a.png 1x, https://img.example/b.png 2x">',
    ],
)
def test_checker_catches_off_origin_urls(html):
    assert origin.off_origin_urls(html, {"testserver"})


def test_checker_accepts_own_urls():
    html = (
        '<a href="/o/x/">x</a><a href="#main">skip</a><img src="data:image/png;base64,AA"><a href="http://testserver/">'
    )
    assert origin.off_origin_urls(html, {"testserver"}) == []


@login_not_required
def _external_page(request):
    return HttpResponse('<img src="https://tracker.example/pixel.gif">', content_type="text/html")


urlpatterns = [path("external/", _external_page)]


@pytest.mark.urls("tests.test_origin")
def test_every_client_page_is_checked(db):
    with pytest.raises(AssertionError, match="points off the origin"):
        Client().get("/external/")


def test_not_found_page_uses_the_site_layout(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert 'href="#main"' in response.content.decode()
