"""The profile union of the local sandbox: the XDM Individual Profile fields its sample
profiles carry (``profilestore/sample.py``), as the Schema Registry returns a union resolved
with ``Accept: application/vnd.adobe.xed-full+json`` (every ``$ref`` expanded into
``properties``). ``identityMap`` and ``segmentMembership`` are maps (``additionalProperties``),
as in every union (help/xdm/api/unions.md: "Union schema fields")."""

from __future__ import annotations

from typing import Any

PROFILE_UNION_ID = "https://ns.adobe.com/xdm/context/profile__union"
PROFILE_UNION_ALT_ID = "_xdm.context.profile__union"


def _obj(**properties: Any) -> dict[str, Any]:
    return {"type": "object", "properties": properties}


_S: dict[str, Any] = {"type": "string"}
_I: dict[str, Any] = {"type": "integer"}
_B: dict[str, Any] = {"type": "boolean"}
_IDENTITY = {"type": "array", "items": _obj(id=_S, primary=_B, authenticatedState=_S)}


def profile_union() -> dict[str, Any]:
    """The resolved union schema (a fresh copy each call)."""
    return {
        "$id": PROFILE_UNION_ID,
        "meta:altId": PROFILE_UNION_ALT_ID,
        "meta:resourceType": "unions",
        "meta:class": "https://ns.adobe.com/xdm/context/profile",
        "title": "XDM Individual Profile union",
        "type": "object",
        "properties": {
            "_id": _S,
            "person": _obj(name=_obj(firstName=_S, lastName=_S, fullName=_S), gender=_S,
                           birthDate=_S, birthYear=_I),
            "homeAddress": _obj(street1=_S, city=_S, stateProvince=_S, stateProvinceISO=_S,
                                postalCode=_S, country=_S, countryCode=_S),
            "personalEmail": _obj(address=_S, status=_S),
            "identityMap": {"type": "object", "additionalProperties": _IDENTITY},
            "preferredCurrency": _S,
            "customerNumber": _S,
            "loyalty": _obj(tier=_S, points=_I, status=_S),
            "segmentMembership": {"type": "object", "additionalProperties": {
                "type": "object", "additionalProperties": _obj(
                    status=_S, lastQualificationTime=_S)}},
        },
    }
