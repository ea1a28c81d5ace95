"""How every app's views show a service's refusal: its message, on the next page.

A service refuses with ``ValidationError`` and a message written for the person (a closed audit,
a used link, a year below the minimum); the view shows it and goes on to say what is left to do.
``accounts`` is the lowest app, so the views of every app may use this.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest


class Refusal:
    """Whether the service refused; truthy once it has, with the message already shown."""

    message: str | None = None

    def __bool__(self) -> bool:
        return self.message is not None


@contextmanager
def refusal_shown(request: HttpRequest) -> Iterator[Refusal]:
    """Run the service calls in the block; if one refuses, show its message on the next page
    (``django.contrib.messages``) and carry on after the block with the refusal set.

    ``with refusal_shown(request) as refused: cycle_open(...)`` then ``if refused: return …``.
    """
    refusal = Refusal()
    try:
        yield refusal
    except ValidationError as error:
        refusal.message = error.messages[0]
        messages.error(request, refusal.message)
