"""The read-replica router (bureau/dbrouter.py): off by default; with a replica alias, reporting reads go there."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import override_settings

from bureau.dbrouter import ReplicaRouter, reporting, reporting_view
from dispatch.models import Ticket
from enforcement.models import Agency, Case

pytestmark = pytest.mark.filterwarnings("ignore:Overriding setting DATABASES:UserWarning")


@pytest.fixture
def with_replica():
    databases = {**settings.DATABASES, "replica": {**settings.DATABASES["default"], "TEST": {"MIRROR": "default"}}}
    with override_settings(DATABASES=databases):
        yield


def test_without_a_replica_every_read_stays_on_default():
    assert "replica" not in settings.DATABASES
    with reporting():
        assert Agency.objects.all().db == "default"
        assert ReplicaRouter().db_for_read(Ticket) is None


def test_with_a_replica_only_reporting_reads_go_there(with_replica):
    assert Case.objects.all().db == "default"  # ordinary reads: the primary (read-your-writes)
    with reporting():
        assert Case.objects.all().db == "replica"
        assert Ticket.objects.filter(pk=1).db == "replica"
        assert ReplicaRouter().db_for_write(Ticket) == "default"  # writes never go to the replica
    assert Case.objects.all().db == "default"


def test_reporting_view_routes_its_reads_and_only_while_it_runs(with_replica):
    seen = []

    @reporting_view
    def view(request):
        seen.append(Agency.objects.all().db)
        return "ok"

    assert view(None) == "ok" and seen == ["replica"]
    assert Agency.objects.all().db == "default"


def test_the_replica_is_never_migrated(with_replica):
    router = ReplicaRouter()
    assert router.allow_migrate("replica", "enforcement") is False
    assert router.allow_migrate("default", "enforcement") is True
