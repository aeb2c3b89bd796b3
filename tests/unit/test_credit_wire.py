"""The credit routes answer with shared.credit_wire's models, the classes the app parses (issue 10): a route that
went back to returning a plain dict would write whatever the service put in it, and nothing would say so."""

import typing

from fastapi.routing import APIRoute
from pydantic import BaseModel

from backend.routes import credit
from mobile import api_client, models
from shared import credit_wire

# Not JSON (a PDF, the public verify page), or JSON only the admin's web tools read, never the app.
NOT_APP_JSON = {"/portfolio/{student_id}/pdf", "/verify/{code}", "/admin/environment"}


def _model(annotation: object) -> object:
    """The model of an answer that is a list of them, or the answer's own."""
    if typing.get_origin(annotation) is list:
        (item,) = typing.get_args(annotation)
        return item
    return annotation


def test_every_credit_answer_the_app_reads_is_declared_with_a_shared_model() -> None:
    routes = [r for r in credit.router.routes if isinstance(r, APIRoute) and r.status_code != 204
              and r.path not in NOT_APP_JSON]
    assert len(routes) >= 14  # every JSON route of the router is looked at, not an empty list
    for route in routes:
        model = _model(route.response_model)
        assert isinstance(model, type) and issubclass(model, BaseModel), route.path
        assert model.__module__ == credit_wire.__name__, (route.path, model)


def test_the_app_reads_the_credit_answers_with_the_same_classes() -> None:
    assert models.JobRecord is credit_wire.JobRecord
    assert models.Portfolio is credit_wire.Portfolio
    assert models.CollegeCredit is credit_wire.CollegeCredit
    client = api_client.ApiClient
    assert typing.get_type_hints(client.my_team_jobs)["return"] == api_client.ListPage[credit_wire.TeamJob]
    assert typing.get_type_hints(client.level_history)["return"] == list[credit_wire.LevelChange]


def test_a_part_costs_its_quantity_times_its_price_to_the_satang() -> None:
    part = credit_wire.JobPart.model_validate({"id": "00000000-0000-4000-8000-000000000001", "name": "fuse",
                                               "qty": 3, "price_baht": 12.345})
    assert part.total_baht == round(3 * 12.345, 2) == 37.04
