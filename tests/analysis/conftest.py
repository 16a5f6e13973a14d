import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english_again():
    """A request with `Accept-Language: id` leaves Indonesian active in the test's thread;
    later code that translates outside a request would speak it. Reset after each test."""
    yield
    translation.deactivate()
