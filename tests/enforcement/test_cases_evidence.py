"""Evidence: SHA-256 at upload, size and type limits, never altered or deleted, every view logged."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, transaction

from enforcement.cases.services.evidence import evidence_add, evidence_open, evidence_supersede, evidence_verify
from enforcement.errors import InvalidTransition, PermissionRefused, ValidationFailed
from enforcement.models import AppendOnlyError, CasePolicy, Event, Evidence, EvidenceKind
from tests.enforcement.cases_support import decided, filed, world

__all__ = ["world"]

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0" + b"JFIF-demo-photo" * 50
PDF = b"%PDF-1.4\n% demo\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def upload(name="现场照片.jpg", content=JPEG):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def add(world, case, **over):
    values = dict(by=world.officer_a, kind=EvidenceKind.AUDIOVISUAL, title="现场照片", file=upload(),
                  collected_on=dt.date(2026, 3, 3), collected_place="甲镇人民路")
    values.update(over)
    return evidence_add(case, **values)


def test_upload_records_sha256_uploader_time_and_an_event(world):
    case = filed(world)
    evidence = add(world, case)
    assert evidence.sha256 == hashlib.sha256(JPEG).hexdigest()
    assert (evidence.size, evidence.content_type, evidence.uploaded_by) == (len(JPEG), "image/jpeg", world.officer_a)
    assert evidence.uploaded_at is not None and evidence.original_name == "现场照片.jpg"
    assert evidence_verify(evidence)
    event = Event.objects.for_object(case).get(action="evidence_add")
    assert event.data["sha256"] == evidence.sha256 and event.actor == world.officer_a


def test_evidence_cannot_be_changed_or_deleted(world):
    evidence = add(world, filed(world))
    evidence.title = "改过的名称"
    with pytest.raises(AppendOnlyError):
        evidence.save()
    with pytest.raises(AppendOnlyError):
        evidence.delete()
    with pytest.raises(AppendOnlyError):
        Evidence.objects.filter(pk=evidence.pk).delete()
    assert Evidence.objects.get(pk=evidence.pk).title == "现场照片"


def test_the_database_refuses_to_rewrite_an_evidence_hash(world, postgres):
    evidence = add(world, filed(world))
    with pytest.raises(DatabaseError), transaction.atomic():
        Evidence.objects.filter(pk=evidence.pk).update(sha256="0" * 64)
    assert Evidence.objects.get(pk=evidence.pk).sha256 == evidence.sha256


def test_superseding_keeps_both_items_with_the_reason(world):
    case = filed(world)
    old = add(world, case)
    new = evidence_supersede(old, by=world.officer_a, reason="原照片模糊，补拍", file=upload("补拍.jpg", JPEG + b"2"))
    old.refresh_from_db()
    assert old.superseded_by == new and old.superseded_reason == "原照片模糊，补拍" and not old.is_current
    assert list(Evidence.objects.filter(case=case).current()) == [new]
    assert Evidence.objects.filter(case=case).count() == 2
    with pytest.raises(ValidationFailed):
        evidence_supersede(new, by=world.officer_a, reason=" ", file=upload())
    with pytest.raises(InvalidTransition):
        evidence_supersede(old, by=world.officer_a, reason="再次", file=upload())


def test_every_view_and_download_is_logged(world):
    evidence = add(world, filed(world))
    with evidence_open(evidence, by=world.officer_a2) as fh:
        assert fh.read() == JPEG
    evidence_open(evidence, by=world.legal_a, download=True).close()
    log = [(e.action, e.actor.username) for e in Event.objects.for_object(evidence)]
    assert log == [("evidence_view", "officer_a2"), ("evidence_download", "legal_a")]


def test_an_oversized_file_is_refused_naming_the_limit(world):
    CasePolicy.objects.create(pk=1, evidence_max_bytes=100)
    with pytest.raises(ValidationFailed) as exc:
        add(world, filed(world))
    assert exc.value.code == "file_too_large" and "证据文件大小上限" in str(exc.value)
    assert not Evidence.objects.exists()


def test_a_forbidden_file_type_is_refused(world):
    with pytest.raises(ValidationFailed) as exc:
        add(world, filed(world), file=upload("木马.exe", b"MZ\x90\x00"))
    assert exc.value.code == "file_type_forbidden" and "第四十六条" in str(exc.value)


def test_a_file_whose_content_does_not_match_its_extension_is_refused(world):
    with pytest.raises(ValidationFailed) as exc:
        add(world, filed(world), file=upload("照片.png", JPEG))
    assert exc.value.code == "file_type_mismatch"


def test_pdf_evidence_is_accepted(world):
    evidence = add(world, filed(world), kind=EvidenceKind.DOCUMENTARY, title="营业执照复印件",
                   file=upload("执照.pdf", PDF))
    assert evidence.content_type == "application/pdf"


def test_no_evidence_after_the_decision(world):
    with pytest.raises(InvalidTransition):
        add(world, decided(world))


def test_an_officer_of_another_township_cannot_add_evidence(world):
    with pytest.raises(PermissionRefused):
        add(world, filed(world), by=world.officer_b)
