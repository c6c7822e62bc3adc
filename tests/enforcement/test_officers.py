import datetime as dt

import pytest
from django import forms

from enforcement.errors import PermissionRefused, ValidationFailed
from enforcement.forms import apply_domain_error
from enforcement.officers import certified_officer_ids, has_valid_certificate, require_certified
from tests.factories import CertificateFactory, UserFactory


@pytest.fixture
def officer(db):
    user = UserFactory(username="zhang", first_name="张三")
    CertificateFactory(officer=user, valid_from=dt.date(2025, 1, 1), valid_to=dt.date(2026, 6, 30))
    return user


def test_certificate_valid_only_within_its_dates(officer):
    assert has_valid_certificate(officer, dt.date(2026, 6, 30))
    assert not has_valid_certificate(officer, dt.date(2026, 7, 1))
    assert not has_valid_certificate(officer, dt.date(2024, 12, 31))


def test_revoked_certificate_is_not_valid(officer):
    cert = officer.certificates.get()
    cert.revoked_at = dt.date(2026, 3, 1)
    cert.save()
    assert not has_valid_certificate(officer, dt.date(2026, 3, 2))


def test_expired_certificate_refuses_with_article(officer):
    with pytest.raises(PermissionRefused) as exc:
        require_certified(officer, dt.date(2026, 8, 1))
    assert "张三" in str(exc.value) and "第四十二条" in str(exc.value)
    assert exc.value.code == "certificate_required"
    require_certified(officer, dt.date(2026, 1, 1))


def test_certified_officer_ids_in_one_query(officer, django_assert_num_queries):
    other = UserFactory(username="li")
    with django_assert_num_queries(1):
        assert certified_officer_ids([officer.pk, other.pk], dt.date(2026, 1, 1)) == {officer.pk}


class _Form(forms.Form):
    result = forms.CharField(required=False)


def test_domain_error_lands_on_named_field_or_form():
    form = _Form(data={"result": ""})
    form.is_valid()
    apply_domain_error(form, ValidationFailed("必须填写结果", field="result"))
    assert form.errors["result"] == ["必须填写结果"]
    form2 = _Form(data={})
    form2.is_valid()
    apply_domain_error(form2, ValidationFailed("状态不允许"))
    assert form2.non_field_errors() == ["状态不允许"]
