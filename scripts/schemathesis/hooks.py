"""Test data for schemathesis that the OpenAPI document describes but cannot generate, so that generated
requests look like a real client's.

- `format: date` values are real days from 2000-01-01 to today: the service refuses days in the future
  (422), which JSON Schema cannot express for a string.
- `format: staff-user` names one of the staff users the runner created (assigned officers and approvers
  must be users: an unknown one is a 422 naming the field).
- `format: policy-id` names a shipped policy (a policy that is not installed is a 422 naming `policy`).
- `application/toml` bodies (PUT /api/v1/policies/{id}) are policies extending a preset; a body generated
  to be invalid is made an invalid policy.
- Policies are installed under new ids, never over a shipped preset (which every other policy extends).
- An idempotency key is the client's name for one complaint: derived from the complaint itself, so the
  same complaint sent twice shares a key and two different complaints never do.
"""

import datetime
import hashlib
import json
import os

import schemathesis
from hypothesis import strategies as st
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation import GenerationMode

TODAY = datetime.date.fromisoformat(os.environ.get("REDRESS_TODAY", datetime.date.today().isoformat()))
STAFF = [s for s in os.environ.get("REDRESS_STAFF", "").split(",") if s]
PRESETS = [
    "code-2024",
    "scottish-model-chp",
    "herring-house-trust",
    "resolution-team-2022",
    "performance-improvement-2025",
    "herefordshire-council",
    "harrogate-ha",
]

schemathesis.openapi.format(
    "date",
    st.dates(min_value=datetime.date(2000, 1, 1), max_value=TODAY).map(lambda d: d.isoformat()),
)
schemathesis.openapi.format("policy-id", st.sampled_from(PRESETS))
if STAFF:
    schemathesis.openapi.format("staff-user", st.sampled_from(STAFF))

_policy = st.builds(
    lambda name, preset, days: (
        f'name = "{name}"\nversion = "1"\nextends = "{preset}"\n'
        f'[stages.stage1]\nrespond = {{ working_days = {days}, from = "acknowledged" }}\n'
    ).encode(),
    st.from_regex(r"\A[A-Z][A-Za-z0-9 ]{0,58}[a-z0-9]\Z"),
    st.sampled_from(PRESETS),
    st.integers(min_value=1, max_value=20),
)
schemathesis.openapi.media_type("application/toml", _policy)


def _negative_body(case):
    """Whether the case's body was generated to break the schema (in the coverage or fuzzing phase)."""
    meta = getattr(case, "_meta", None)
    if meta is None:
        return False
    if meta.is_negative_at(ParameterLocation.BODY):
        return True
    data = getattr(meta.phase, "data", None)
    return (
        getattr(data, "parameter_location", None) == ParameterLocation.BODY
        and meta.generation.mode == GenerationMode.NEGATIVE
    )


def _installed_policy(body):
    """The coverage phase draws ids from the pattern, not from `format: policy-id`: name a shipped one."""
    if isinstance(body.get("policy"), str) and body["policy"] not in PRESETS:
        return {**body, "policy": PRESETS[len(body["policy"]) % len(PRESETS)]}
    return body


@schemathesis.hook
def map_case(ctx, case):
    if case.method == "PUT" and case.path_parameters and isinstance(case.body, (bytes, str)):
        if case.path_parameters.get("id") in PRESETS:
            case.path_parameters = {**case.path_parameters, "id": "landlord-" + case.path_parameters["id"]}
        if _negative_body(case):
            body = case.body.decode(errors="replace") if isinstance(case.body, bytes) else case.body
            case.body = (body + "\n[stages.stage1]\nrespond = { working_dayz = 1 }\n").encode()
    if case.method == "POST" and isinstance(case.body, dict) and not _negative_body(case):
        case.body = _installed_policy(case.body)
    if (
        case.method == "POST"
        and isinstance(case.body, dict)
        and isinstance(case.body.get("idempotency_key"), str)
        and not _negative_body(case)
    ):
        rest = {k: v for k, v in case.body.items() if k != "idempotency_key"}
        digest = hashlib.sha256(json.dumps(rest, sort_keys=True, default=str).encode()).hexdigest()
        case.body = {**case.body, "idempotency_key": digest[:40]}
    return case
