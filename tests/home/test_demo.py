import pytest
from django.core.management import CommandError, call_command

from accounts.models import User


def test_demo_refuses_production(settings, db):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="ALLY_ENV=production"):
        call_command("demo", "--no-serve")
    assert not User.objects.exists()
