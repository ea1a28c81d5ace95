from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "home"
    verbose_name = "Home page and demo"

    def ready(self) -> None:
        from config import reviews  # noqa: F401 (registers the review-record check)
