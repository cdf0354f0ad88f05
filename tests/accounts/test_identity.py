"""Accounts for identity-provider sign-ins: found by issuer and subject, created as students, no usable password."""

import pytest

from tutor_app.accounts.identity import user_for_identity
from tutor_app.accounts.users import AuthError, authenticate, create_user
from tutor_app.core.database import open_database
from tutor_app.core.errors import InputError


@pytest.fixture
def db():
    database = open_database("sqlite:///:memory:")
    yield database
    database.close()


def test_first_sign_in_creates_a_student_and_later_ones_find_it(db):
    first = user_for_identity(db, "https://idp", "sub-1", "Li.Wei@school.example", "李伟", "zh")
    assert (first.role, first.username, first.display_name, first.language) == ("student", "li.wei", "李伟", "zh")
    assert user_for_identity(db, "https://idp", "sub-1", "changed@school.example").id == first.id


def test_same_email_from_another_subject_is_another_account(db):
    create_user(db, "li.wei", "local-password", "student")
    other = user_for_identity(db, "https://idp", "sub-2", "li.wei@elsewhere.example")
    assert other.username == "li.wei-2"


def test_provider_accounts_cannot_sign_in_with_a_password(db):
    user = user_for_identity(db, "https://idp", "sub-3", "ana@school.example")
    with pytest.raises(AuthError):
        authenticate(db, user.username, "!external")


def test_a_sign_in_without_subject_is_refused(db):
    with pytest.raises(InputError, match="subject"):
        user_for_identity(db, "https://idp", "", "x@y.z")
