# Fixtures shared by the dispatch and college tests live with their helpers; conftest makes pytest see them.
from tests.integration.dispatch_area import app_and_clock, area, pool  # noqa: F401
