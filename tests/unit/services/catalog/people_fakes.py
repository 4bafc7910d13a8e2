"""The people records in memory (services/catalog/people_records.py's methods over lists)."""
from __future__ import annotations

from services.catalog.models import Invitation, Membership, OrganisationApplication, Person
from tests.unit.services.catalog.fakes import InMemoryRecords


class InMemoryPeopleRecords(InMemoryRecords):
    def __init__(self):
        super().__init__()
        self._link_key = b"test link key, 32 bytes long...."

    def person(self, person_id):
        return self._by_id(Person, person_id)

    def person_by_email(self, email_key):
        return next((p for p in self._of(Person) if p.email_key == email_key), None)

    def memberships_of(self, person_id):
        return [m for m in self._of(Membership) if m.person_id == person_id]

    def membership(self, person_id, organisation_id):
        return next((m for m in self.memberships_of(person_id)
                     if m.organisation_id == organisation_id), None)

    def application(self, application_id):
        return self._by_id(OrganisationApplication, application_id)

    def invitation(self, invitation_id):
        return self._by_id(Invitation, invitation_id)

    invitation_for_update = invitation

    def link_key(self):
        return self._link_key

    def flush(self):
        emails = [p.email_key for p in self._of(Person)]
        assert len(emails) == len(set(emails)), "person.email_key is unique"
        super().flush()
