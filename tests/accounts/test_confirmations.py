"""What cannot be undone asks first: a GET page says what will go and changes nothing; only the POST does it."""

from django.urls import reverse

from accounts.models import Membership, Organization, User
from tests.conftest import login


def _undone(page: str) -> str:
    """Return the page's list of what cannot be undone."""
    start = page.index('id="cannot-be-undone"')
    return page[start : page.index("</ul>", start)]


def test_removing_a_member_asks_first_and_a_get_removes_nobody(client, admin, staff, organization):
    login(client, admin.user)
    members = client.get(reverse("accounts:org_members", args=[organization.slug])).content.decode()
    url = reverse("accounts:member_remove", args=[organization.slug, staff.id])
    # From the list, a link to the confirmation page: no form that removes in one click.
    assert f'href="{url}"' in members and f'action="{url}"' not in members
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert f"Remove {staff.user.email} from {organization.name}?" in page
    assert "new invitation" in _undone(page)
    assert Membership.objects.filter(pk=staff.pk).exists()
    client.post(url)
    assert not Membership.objects.filter(pk=staff.pk).exists()


def test_leaving_asks_first_in_the_first_person(client, admin, member_factory, organization):
    second = member_factory(organization, "admin")
    login(client, second.user)
    page = client.get(reverse("accounts:member_remove", args=[organization.slug, second.id])).content.decode()
    assert f"Leave {organization.name}?" in page and "You lose access" in _undone(page)
    assert Membership.objects.filter(pk=second.pk).exists()


def test_deleting_the_organization_asks_first_and_needs_its_typed_name(client, admin, organization):
    login(client, admin.user)
    settings_page = client.get(reverse("accounts:org_settings", args=[organization.slug])).content.decode()
    url = reverse("accounts:org_delete", args=[organization.slug])
    assert f'href="{url}"' in settings_page and f'action="{url}"' not in settings_page
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "for good" in _undone(page) and 'name="confirm"' in page
    assert Organization.objects.filter(pk=organization.pk).exists()
    response = client.post(url, {"confirm": "not the name"})
    assert response.status_code == 400
    assert "Type the organization&#x27;s name exactly" in response.content.decode()
    assert Organization.objects.filter(pk=organization.pk).exists()
    assert client.post(url, {"confirm": organization.name}).status_code == 302
    assert not Organization.objects.filter(pk=organization.pk).exists()


def test_deleting_an_account_asks_first_and_a_get_deletes_nothing(client, member_factory, organization):
    from tests.conftest import PASSWORD

    staff = member_factory(organization, Membership.Role.STAFF)
    client.post(reverse("account_login"), {"login": staff.user.email, "password": PASSWORD})
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    url = reverse("accounts:account_delete")
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "for good" in _undone(page) and 'name="confirm"' in page
    assert User.objects.filter(pk=staff.user.pk).exists()
    # Without the box ticked, the POST deletes nothing either.
    client.post(url)
    assert User.objects.filter(pk=staff.user.pk).exists()
