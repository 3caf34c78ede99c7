"""The JSON API an organisation's own systems use to send the figures it is the source of.

Callers authenticate with an organisation's API key (paqa.partnership.api_auth). A key acts for
its organisation only; what it may write is decided in one place, indicators_submittable_by().
Submissions are checked by the same checker as imported files, and written all or nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from django.db import IntegrityError
from django.db.models import QuerySet
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotAuthenticated, ParseError
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle
from rest_framework.views import APIView
from simple_history.models import HistoricalRecords

from paqa.indicators.importing import (
    COLUMNS,
    NOT_THE_SOURCE,
    RowError,
    check_rows,
    plan_changes,
)
from paqa.indicators.models import Indicator
from paqa.indicators.services import observations_apply
from paqa.partnership.api_auth import ApiClient
from paqa.partnership.models import ApiToken, Organisation

MAX_OBSERVATIONS = 10_000
PER_KEY_RATE = "120/minute"


# The rule --------------------------------------------------------------------------------------


def indicators_submittable_by(organisation: Organisation) -> set[int]:
    """The indicators an organisation's key may send observations of: those it is the source of.

    Archived indicators, and those worked out rather than reported, are not sent by anyone.
    """
    if organisation.is_archived:
        return set()
    return set(
        Indicator.objects.filter(
            source_organisation=organisation,
            archived_at__isnull=True,
            derivation=Indicator.Derivation.NONE,
        ).values_list("pk", flat=True)
    )


# Authentication, permission and throttling ------------------------------------------------------


class OrganisationTokenScheme(OpenApiAuthenticationExtension):
    """Documents the API key in the OpenAPI schema."""

    target_class = "paqa.partnership.api_auth.OrganisationTokenAuthentication"
    name = "organisationKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        definition = build_bearer_security_scheme_object(
            header_name="Authorization",
            token_prefix="Bearer",  # noqa: S106 (a scheme name)
        )
        definition["description"] = (
            "An organisation's API key, made by a partnership admin on the organisation's page."
        )
        return definition


class IsOrganisationClient(BasePermission):
    """Only a caller with a live organisation key: a key acts for its own organisation only."""

    def has_permission(self, request: Request, view: Any) -> bool:
        client = request.user
        return (
            isinstance(client, ApiClient)
            and isinstance(request.auth, ApiToken)
            and client.organisation.pk == request.auth.organisation_id
        )


class TokenRateThrottle(SimpleRateThrottle):
    """At most PER_KEY_RATE calls per key."""

    scope = "api_key"
    rate = PER_KEY_RATE

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if not isinstance(request.auth, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}


class OrganisationApiView(APIView):
    permission_classes = [IsOrganisationClient]
    throttle_classes = [AnonRateThrottle, TokenRateThrottle]

    def organisation(self) -> Organisation:
        client = self.request.user
        if not isinstance(client, ApiClient):  # IsOrganisationClient has already refused it
            raise NotAuthenticated()
        return client.organisation

    def token(self) -> ApiToken:
        token = self.request.auth
        if not isinstance(token, ApiToken):  # IsOrganisationClient has already refused it
            raise NotAuthenticated()
        return token


# Shapes ------------------------------------------------------------------------------------------


class IndicatorSerializer(serializers.ModelSerializer[Indicator]):
    class Meta:
        model = Indicator
        fields = ["code", "name", "unit", "period_kind", "frequency", "definition"]


@extend_schema_field({"oneOf": [{"type": "number"}, {"type": "string"}]})
class NumberField(serializers.Field):
    """A number, given as a JSON number or as text; checked by the observation checker."""

    default_error_messages = {
        "invalid": "must be a number",
        "null": "is empty",
        "required": "is missing",
    }

    def to_internal_value(self, data: Any) -> str:
        if isinstance(data, bool) or not isinstance(data, int | float | str | Decimal):
            self.fail("invalid")
        return str(data)

    def to_representation(self, value: Any) -> Any:
        return value


class ObservationSerializer(serializers.Serializer):
    """One observation: the same columns as an imported file."""

    default_error_messages = {
        "invalid": "must be an object with indicator, area, period and value",
        "null": "must be an object with indicator, area, period and value",
    }

    indicator = serializers.CharField(
        allow_blank=True,
        help_text="The indicator's code, like camhs-seen-12-weeks",
        error_messages={"required": "is missing", "null": "is empty", "invalid": "must be text"},
    )
    area = serializers.CharField(
        allow_blank=True,
        help_text="The area's ONS code, like E10000025",
        error_messages={"required": "is missing", "null": "is empty", "invalid": "must be text"},
    )
    period = serializers.CharField(
        allow_blank=True,
        help_text="Written as the indicator's periods are: 2018-19, 2018-19 Q4, 2019-03, "
        "2019-03-31 or 2017",
        error_messages={"required": "is missing", "null": "is empty", "invalid": "must be text"},
    )
    value = NumberField(help_text="The figure (a percentage is 0 to 100)")
    numerator = NumberField(required=False, allow_null=True, help_text="Optional")
    denominator = NumberField(required=False, allow_null=True, help_text="Optional")
    status = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text="provisional or final; final if left out",
        error_messages={"invalid": "must be text"},
    )
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        trim_whitespace=True,
        help_text="Optional, up to 500 characters",
        error_messages={"invalid": "must be text"},
    )


def _unknown_fields(position: int, item: Any) -> Iterator[dict[str, Any]]:
    """Names that are not columns, probably misspelt: refused, like unknown columns of a file."""
    if isinstance(item, dict):
        for key in item:
            if key not in COLUMNS:
                yield {
                    "item": position,
                    "field": str(key),
                    "message": f"is not a field of an observation (they are {', '.join(COLUMNS)})",
                }


def _cells(values: dict[str, Any]) -> dict[str, str]:
    """An observation as the checker reads a row of a file: text in every column."""
    return {name: "" if values.get(name) is None else str(values[name]) for name in COLUMNS}


class SubmissionSerializer(serializers.Serializer):
    observations = ObservationSerializer(  # type: ignore[call-arg]
        many=True,
        allow_empty=False,
        max_length=MAX_OBSERVATIONS,
        help_text=f"Up to {MAX_OBSERVATIONS:,} observations, written all together or not at all",
    )


class SummarySerializer(serializers.Serializer):
    created = serializers.IntegerField(help_text="Observations that were new")
    changed = serializers.IntegerField(help_text="Stored observations given a new value")
    unchanged = serializers.IntegerField(help_text="Observations sent again as they were stored")


class SubmissionErrorSerializer(serializers.Serializer):
    item = serializers.IntegerField(
        allow_null=True,
        help_text="The observation's position in the list, counting from 1 (null for the "
        "request as a whole)",
    )
    field = serializers.CharField(help_text="The field of the observation that is wrong")
    message = serializers.CharField()


class SubmissionErrorsSerializer(serializers.Serializer):
    detail = serializers.CharField()
    # The metaclass takes declared fields off the class, so this does not hide `.errors`.
    errors = SubmissionErrorSerializer(many=True)  # type: ignore[assignment]


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField()


# Views -------------------------------------------------------------------------------------------

_AUTH_RESPONSES = {
    401: OpenApiResponse(DetailSerializer, description="No key, or a wrong or revoked key"),
    429: OpenApiResponse(DetailSerializer, description="Too many requests: wait and try again"),
}


@extend_schema(
    summary="The indicators this key may send",
    description="The indicators the key's organisation is the source of.",
    responses={200: IndicatorSerializer(many=True), **_AUTH_RESPONSES},
    tags=["indicators"],
)
class IndicatorListView(OrganisationApiView, generics.ListAPIView[Indicator]):
    serializer_class = IndicatorSerializer
    pagination_class = None

    def get_queryset(self) -> QuerySet[Indicator]:
        return Indicator.objects.filter(
            pk__in=indicators_submittable_by(self.organisation())
        ).order_by("sort_order", "name")


def _flatten(item: int | None, detail: Any, field: str = "") -> Iterator[dict[str, Any]]:
    """DRF's nested error details as {item, field, message} rows."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = field if key == api_settings.NON_FIELD_ERRORS_KEY else str(key)
            yield from _flatten(item, value, name)
    elif isinstance(detail, list):
        for value in detail:
            yield from _flatten(item, value, field)
    else:
        yield {"item": item, "field": field, "message": str(detail)}


def _error_row(error: RowError) -> dict[str, Any]:
    return {"item": error.row, "field": error.column, "message": error.message}


def _refused(errors: list[dict[str, Any]], *, forbidden: bool = False) -> Response:
    return Response(
        {
            "detail": (
                "This key may send observations only of the indicators its organisation is the "
                "source of. Nothing was written."
                if forbidden
                else "The observations have errors. Nothing was written."
            ),
            "errors": errors,
        },
        status=status.HTTP_403_FORBIDDEN if forbidden else status.HTTP_400_BAD_REQUEST,
    )


@contextmanager
def _history_without_request_user() -> Iterator[None]:
    """Keep the API client out of the history: simple-history takes its user from the request,
    and a key is not a person (the change reason names the key instead)."""
    context = HistoricalRecords.context
    request = getattr(context, "request", None)
    if request is not None:
        del context.request
    try:
        yield
    finally:
        if request is not None:
            context.request = request


class ObservationSubmitView(OrganisationApiView):
    @extend_schema(
        summary="Send observations",
        description=(
            "Checks every observation as an imported file is checked, then writes them all, "
            "or none if any is wrong. An observation already stored for the same indicator, "
            "area and period is replaced; sending the same observations again changes nothing. "
            f"At most {MAX_OBSERVATIONS:,} observations in one request."
        ),
        request=SubmissionSerializer,
        responses={
            200: OpenApiResponse(SummarySerializer, description="All written"),
            400: OpenApiResponse(
                SubmissionErrorsSerializer,
                description="Some observations are wrong: every error is listed; nothing written",
            ),
            403: OpenApiResponse(
                SubmissionErrorsSerializer,
                description="Some observations are of indicators another organisation is the "
                "source of; nothing written",
            ),
            409: OpenApiResponse(
                DetailSerializer,
                description="Another submission wrote the same observations at the same moment; "
                "nothing written: send again",
            ),
            **_AUTH_RESPONSES,
        },
        examples=[
            OpenApiExample(
                "One month of CAMHS figures",
                request_only=True,
                value={
                    "observations": [
                        {
                            "indicator": "camhs-seen-12-weeks",
                            "area": "E10000025",
                            "period": "2019-03",
                            "value": 34,
                            "numerator": None,
                            "denominator": None,
                            "status": "final",
                            "note": "",
                        }
                    ]
                },
            )
        ],
        tags=["observations"],
    )
    def post(self, request: Request) -> Response:
        organisation = self.organisation()
        token = self.token()
        try:
            data = request.data
        except ParseError as unreadable:
            # Answered in the documented shape, like every other refusal.
            return _refused([{"item": None, "field": "body", "message": f"{unreadable.detail}"}])
        items = data.get("observations") if isinstance(data, dict) else None
        if not isinstance(items, list):
            return _refused([{"item": None, "field": "observations", "message": "must be a list"}])
        if not items:
            return _refused(
                [{"item": None, "field": "observations", "message": "is empty: send at least one"}]
            )
        if len(items) > MAX_OBSERVATIONS:
            return _refused(
                [
                    {
                        "item": None,
                        "field": "observations",
                        "message": f"has {len(items):,} items; the most in one request is "
                        f"{MAX_OBSERVATIONS:,}",
                    }
                ]
            )
        errors: list[dict[str, Any]] = []
        rows: list[tuple[int, dict[str, str]]] = []
        reader = ObservationSerializer()  # one for all: making one per item is slow
        for position, item in enumerate(items, start=1):
            errors.extend(_unknown_fields(position, item))
            try:
                values = reader.run_validation(item)
            except serializers.ValidationError as error:
                errors.extend(_flatten(position, error.detail, "observation"))
            else:
                rows.append((position, _cells(values)))
        result = check_rows(
            rows,
            allowed_indicator_ids=indicators_submittable_by(organisation),
            source_name=organisation.name,
        )
        errors.extend(_error_row(error) for error in result.errors)
        if errors:
            errors.sort(key=lambda error: error["item"] or 0)
            forbidden = any(error.code == NOT_THE_SOURCE for error in result.errors)
            return _refused(errors, forbidden=forbidden)
        try:
            with _history_without_request_user():
                summary = observations_apply(
                    plan=plan_changes(result.rows),
                    actor=None,
                    reason=f"Submitted through the API by {token.name} ({organisation.name})",
                )
        except IntegrityError:
            return Response(
                {
                    "detail": "Another submission wrote some of the same observations at the "
                    "same moment. Nothing was written: send the observations again."
                },
                status=status.HTTP_409_CONFLICT,
            )
        return Response(
            SummarySerializer(
                {
                    "created": summary.created,
                    "changed": summary.changed,
                    "unchanged": summary.unchanged,
                }
            ).data
        )
