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
from schemathesis.core.parameters import ParameterLocation

TODAY = datetime.date.fromisoformat(os.environ.get("REDRESS_TODAY", datetime.date.today().isoformat()))
STAFF = [s for s in os.environ.get("REDRESS_STAFF", "").split(",") if s]

schemathesis.openapi.format(
    "date",
    st.dates(min_value=datetime.date(2000, 1, 1), max_value=TODAY).map(lambda d: d.isoformat()),
)

# The policies every installation ships (an id that is not installed is a 422 naming `policy`).
schemathesis.openapi.format(
    "policy-id",
    st.sampled_from(
        ["code-2024", "scottish-model-chp", "herring-house-trust", "resolution-team-2022",
         "performance-improvement-2025", "herefordshire-council", "harrogate-ha"]
    ),
)

if STAFF:
    schemathesis.openapi.format("staff-user", st.sampled_from(STAFF))

_names = st.from_regex(r"\A[A-Z][A-Za-z0-9 ]{0,58}[a-z0-9]\Z")
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
schemathesis.openapi.media_type("application/toml", _policy)

PRESETS = ["code-2024", "herring-house-trust", "harrogate-ha", "herefordshire-council", "resolution-team-2022"]


def _negative_body(case):
    meta = getattr(case, "_meta", None)
    return meta is not None and meta.is_negative_at(ParameterLocation.BODY)


@schemathesis.hook
def map_case(ctx, case):
    """A policy installed under a preset's id extends another preset, never itself; a body generated to be
    invalid is made an invalid policy (the media type's strategy draws valid ones)."""
    if case.method == "PUT" and isinstance(case.body, (bytes, str)) and case.path_parameters:
        policy_id = case.path_parameters.get("id")
        body = case.body.decode(errors="replace") if isinstance(case.body, bytes) else case.body
        if _negative_body(case):
            case.body = (body + "\n[stages.stage1]\nrespond = { working_dayz = 1 }\n").encode()
        elif policy_id in PRESETS and f'extends = "{policy_id}"' in body:
            other = next(p for p in PRESETS if p != policy_id)
            case.body = body.replace(f'extends = "{policy_id}"', f'extends = "{other}"').encode()
    return case
