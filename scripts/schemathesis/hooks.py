"""Test data for schemathesis that the OpenAPI document can describe but not generate.

- `format: date` values are real days from 2000-01-01 to today: the service refuses days in the future and
  before 2000 (422), which JSON Schema cannot express for a string.
- `format: staff-user` names one of the staff users the runner created (assigned officers and approvers
  must be users: an unknown one is a 422 naming the field).
- `application/toml` bodies (PUT /api/v1/policies/{id}) are policies: valid ones that extend a preset, and
  text that is not a policy at all, so both answers (201 and 422) are exercised.
"""

import datetime
import os

import schemathesis
from hypothesis import strategies as st

TODAY = datetime.date.fromisoformat(os.environ.get("REDRESS_TODAY", datetime.date.today().isoformat()))
STAFF = [s for s in os.environ.get("REDRESS_STAFF", "").split(",") if s]

schemathesis.openapi.format(
    "date",
    st.dates(min_value=datetime.date(2000, 1, 1), max_value=TODAY).map(lambda d: d.isoformat()),
)

if STAFF:
    schemathesis.openapi.format("staff-user", st.sampled_from(STAFF))

_names = st.text(
    alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E, exclude_characters='"\\'),
    min_size=1,
    max_size=60,
)
_preset = st.sampled_from(
    ["code-2024", "herring-house-trust", "harrogate-ha", "herefordshire-council", "resolution-team-2022"]
)
_policy = st.builds(
    lambda name, preset, days: (
        f'name = "{name}"\nversion = "1"\nextends = "{preset}"\n'
        f"[stages.stage1]\nrespond = {{ working_days = {days}, from = \"acknowledged\" }}\n"
    ).encode(),
    _names,
    _preset,
    st.integers(min_value=1, max_value=20),
)
schemathesis.openapi.media_type("application/toml", st.one_of(_policy, st.binary(max_size=200)))
