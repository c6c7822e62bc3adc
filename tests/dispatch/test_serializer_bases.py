"""The project's serializer bases: fields built once per class, fresh per instance; ``represent``."""

from __future__ import annotations

import threading

import pytest
from rest_framework import serializers

from dispatch.serializers import TicketCreateSerializer, TicketDetailSerializer
from enforcement.serializers import AgencyBriefSerializer, represent

pytestmark = pytest.mark.django_db


def test_each_instance_gets_its_own_fields():
    first, second = TicketDetailSerializer(), TicketDetailSerializer()
    assert list(first.fields) == list(second.fields)
    for name in first.fields:
        assert first.fields[name] is not second.fields[name], name
        assert first.fields[name].parent is first and second.fields[name].parent is second
    # Nested list serializers get their own child too.
    assert first.fields["co_handlers"].child is not second.fields["co_handlers"].child


def test_fields_keep_their_configuration():
    fields = TicketCreateSerializer().fields
    assert isinstance(fields["township"], serializers.PrimaryKeyRelatedField)
    assert fields["township"].allow_null and not fields["township"].required
    assert fields["description"].max_length == 5000
    model_fields = TicketDetailSerializer().fields
    assert model_fields["number"].max_length == 20 and "closed" in model_fields["status"].choices
    assert model_fields["summary"].read_only


def test_validation_errors_are_per_instance(county):
    bad = TicketCreateSerializer(data={"township": 999999})
    good = TicketCreateSerializer(data={"description": "x", "township": county.town_a.pk})
    assert not bad.is_valid() and good.is_valid(), good.errors
    assert set(bad.errors) == {"description", "township"}
    assert good.validated_data["township"] == county.town_a


def test_represent_equals_data_and_follows_the_context(make_ticket, dispatcher, officer_a, rf):
    ticket = make_ticket(reporter_name="王五", reporter_phone="13912345678")
    for user in (dispatcher, officer_a, dispatcher):
        request = rf.get("/")
        request.user = user
        context = {"request": request}
        assert represent(TicketDetailSerializer, ticket, context=context) == TicketDetailSerializer(
            ticket, context=context).data
    # The reporter is masked for the township but not for the command centre: the
    # lent serializer really used each caller's context.
    request = rf.get("/")
    request.user = officer_a
    assert represent(TicketDetailSerializer, ticket, context={"request": request})["reporter"]["masked"] is True
    request.user = dispatcher
    assert represent(TicketDetailSerializer, ticket, context={"request": request})["reporter"]["masked"] is False


def test_represent_in_threads_and_reentrant(county):
    results, errors = [], []

    def work():
        try:
            for _i in range(20):
                results.append(represent(AgencyBriefSerializer, county.town_a)["code"])
        except Exception as exc:  # noqa: BLE001 - any failure in a thread is reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and results == [county.town_a.code] * 80

    class Outer(serializers.Serializer):
        inner = serializers.SerializerMethodField()

        def get_inner(self, obj):
            # Re-entering represent for the same class while it is lent out.
            return represent(Outer, "leaf") if obj != "leaf" else "leaf"

    assert represent(Outer, object()) == {"inner": {"inner": "leaf"}}


def test_choice_labels_answer_what_get_display_answers_in_the_request_language(make_ticket):
    from django.utils import translation

    from dispatch.models import TicketStatus
    from dispatch.serializers import TicketListSerializer
    from enforcement.serializers import ChoiceLabelField

    ticket = make_ticket(channel="hotline_12345")
    for language in ("zh-hans", "en"):
        with translation.override(language):
            body = represent(TicketListSerializer, ticket)
            assert body["status_display"] == ticket.get_status_display()
            assert body["channel_display"] == ticket.get_channel_display()
    with translation.override("en"):
        assert represent(TicketListSerializer, ticket)["status_display"] == "Awaiting triage"
    # A value that is no longer a choice answers itself, as get_<field>_display() does.
    assert ChoiceLabelField(TicketStatus, source="status").to_representation("retired") == "retired"
