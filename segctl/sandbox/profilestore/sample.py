"""Deterministic, realistic sample data for the local sandbox.

Profiles are XDM Individual Profiles (person, homeAddress, personalEmail, identityMap with ECID and
Email, a loyalty tier); each profile has web and commerce ExperienceEvents spread over the 180 days
before ``now``: page views, product views, add-to-cart, checkouts and purchases, linked to the
profile through its ECID. The same ``(profiles, seed, now)`` always gives the same bytes: only
``random.Random(seed)`` is used, never global randomness or the clock.

Shape of the population (so the example segments select real, partial subsets): ~48% female,
~46% male; ~15% of profiles never visit; activity is skewed towards recent days; about one in
four visits adds to cart, half of those check out, most checkouts purchase. One profile in 25
is an anonymous visitor, known only from its events (an "empty profile" for export jobs).
"""

from __future__ import annotations

import gc
import json
import random
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

PROFILES_FILE = "profiles.ndjson"
EVENTS_FILE = "events.ndjson"
HISTORY_DAYS = 180
EVENT_ONLY_EVERY = 25  # one profile in 25 is an anonymous visitor: events, no profile record

FEMALE_FIRST = ("Emma", "Olivia", "Ava", "Sophia", "Isabella", "Mia", "Amelia", "Harper", "Chloe",
                "Grace", "Zoe", "Lily", "Hannah", "Nora", "Leah", "Aisha", "Sofia", "Camille",
                "Lena", "Maya", "Priya", "Yuki", "Elena", "Clara", "Julia", "Anna", "Fatima")
MALE_FIRST = ("Liam", "Noah", "Oliver", "Elijah", "James", "Lucas", "Mason", "Ethan", "Leo",
              "Henry", "Jack", "Owen", "Samuel", "Daniel", "Mateo", "Omar", "Ravi", "Kenji",
              "Lukas", "Felix", "Hugo", "Adam", "David", "Thomas", "Marco", "Jonas", "Arjun")
NEUTRAL_FIRST = ("Alex", "Sam", "Jordan", "Taylor", "Robin", "Charlie", "Jamie", "Morgan")
LAST = ("Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Martin",
        "Lee", "Walker", "Hall", "Allen", "Young", "King", "Wright", "Lopez", "Hill", "Scott",
        "Green", "Adams", "Baker", "Nelson", "Carter", "Mitchell", "Roberts", "Turner", "Patel",
        "Nguyen", "Kim", "Tremblay", "Roy", "Gagnon", "Schmidt", "Muller", "Fischer", "Weber",
        "Taylor", "Evans", "Wilson", "Thompson", "White", "Harris", "Clarke", "McDonald",
        "MacLeod", "O'Brien", "Murphy", "Kelly")
EMAIL_DOMAINS = (("gmail.com", 36), ("yahoo.com", 12), ("outlook.com", 12), ("hotmail.com", 9),
                 ("icloud.com", 11), ("aol.com", 3), ("proton.me", 3), ("web.de", 4),
                 ("gmx.de", 3), ("btinternet.com", 3), ("shaw.ca", 2), ("example.com", 2))
# (country, countryCode, currency, weight, [(city, stateProvince, stateCode, postal prefix)])
COUNTRIES: tuple[tuple[str, str, str, int, tuple[tuple[str, str, str, str], ...]], ...] = (
    ("United States", "US", "USD", 58, (
        ("New York", "New York", "NY", "100"), ("Los Angeles", "California", "CA", "900"),
        ("San Francisco", "California", "CA", "941"), ("Chicago", "Illinois", "IL", "606"),
        ("Austin", "Texas", "TX", "787"), ("Seattle", "Washington", "WA", "981"),
        ("Miami", "Florida", "FL", "331"), ("Boston", "Massachusetts", "MA", "021"),
        ("Denver", "Colorado", "CO", "802"), ("Atlanta", "Georgia", "GA", "303"))),
    ("Canada", "CA", "CAD", 16, (
        ("Toronto", "Ontario", "ON", "M5V"), ("Montreal", "Quebec", "QC", "H2X"),
        ("Vancouver", "British Columbia", "BC", "V6B"), ("Calgary", "Alberta", "AB", "T2P"),
        ("Ottawa", "Ontario", "ON", "K1P"))),
    ("United Kingdom", "GB", "GBP", 15, (
        ("London", "England", "ENG", "EC1"), ("Manchester", "England", "ENG", "M1"),
        ("Edinburgh", "Scotland", "SCT", "EH1"), ("Bristol", "England", "ENG", "BS1"))),
    ("Germany", "DE", "EUR", 11, (
        ("Berlin", "Berlin", "BE", "101"), ("Munich", "Bavaria", "BY", "803"),
        ("Hamburg", "Hamburg", "HH", "203"), ("Cologne", "North Rhine-Westphalia", "NW", "506"))),
)
# (SKU, name, category, unit price in USD)
PRODUCTS: tuple[tuple[str, str, str, float], ...] = (
    ("SHOE-RUN-001", "Trail Running Shoe", "footwear", 129.0),
    ("SHOE-WLK-002", "Everyday Walking Sneaker", "footwear", 89.0),
    ("SHOE-BOOT-003", "Waterproof Hiking Boot", "footwear", 179.0),
    ("APP-JKT-010", "Packable Rain Jacket", "apparel", 149.0),
    ("APP-TEE-011", "Merino Wool T-Shirt", "apparel", 59.0),
    ("APP-LEG-012", "High-Rise Yoga Leggings", "apparel", 78.0),
    ("APP-HOOD-013", "Organic Cotton Hoodie", "apparel", 69.0),
    ("ACC-BAG-020", "Daypack 24L", "accessories", 95.0),
    ("ACC-BTL-021", "Insulated Water Bottle", "accessories", 32.0),
    ("ACC-SOCK-022", "Cushioned Running Socks (3-pack)", "accessories", 24.0),
    ("ACC-WATCH-023", "GPS Sport Watch", "electronics", 299.0),
    ("ACC-EAR-024", "Wireless Sport Earbuds", "electronics", 159.0),
    ("HOME-MAT-030", "Cork Yoga Mat", "home", 85.0),
    ("HOME-TENT-031", "Ultralight 2-Person Tent", "outdoor", 389.0),
    ("HOME-BAG-032", "Down Sleeping Bag", "outdoor", 249.0),
)
PAGES = (("home", "/"), ("new arrivals", "/new"), ("sale", "/sale"), ("running", "/c/running"),
         ("outdoor", "/c/outdoor"), ("yoga", "/c/yoga"), ("store locator", "/stores"),
         ("help: returns", "/help/returns"))
FX = {"USD": 1.0, "CAD": 1.36, "GBP": 0.79, "EUR": 0.92}
SITE = "https://www.luma-outdoors.example"
GENDERS = (("female", 48), ("male", 46), ("not_specified", 6))
LOYALTY = ((None, 40), ("bronze", 25), ("silver", 18), ("gold", 12), ("platinum", 5))


def _cumulative(pairs: Sequence[tuple[Any, int]]) -> tuple[tuple[Any, ...], tuple[float, ...]]:
    """Values and their cumulative probabilities (for ``bisect`` on one ``random()`` draw)."""
    total = sum(weight for _, weight in pairs)
    values, bounds, running = [], [], 0
    for value, weight in pairs:
        running += weight
        values.append(value)
        bounds.append(running / total)
    return tuple(values), tuple(bounds)


_GENDERS = _cumulative(GENDERS)
_LOYALTY = _cumulative(LOYALTY)
_DOMAINS = _cumulative(EMAIL_DOMAINS)
_COUNTRIES = _cumulative([(c, c[3]) for c in COUNTRIES])


class _Generator:
    """One pass over the population; all randomness comes from ``self.rng``."""

    def __init__(self, seed: int, now: datetime) -> None:
        if now.tzinfo is None:
            now = now.replace(tzinfo=UTC)
        self.rng = random.Random(seed)
        self.random = self.rng.random
        self.now = now.astimezone(UTC)
        self.now_ms = int(self.now.timestamp() * 1000)
        self._days: dict[int, str] = {}  # day number → "YYYY-MM-DD" (strftime is the hot spot)

    # The helpers below draw with random() (one C call) instead of randint/choice/choices, which
    # are several Python frames each: together they make generation about five times faster.
    def pick(self, table: tuple[tuple[Any, ...], tuple[float, ...]]) -> Any:
        values, bounds = table
        return values[min(bisect_right(bounds, self.random()), len(values) - 1)]

    def choice(self, seq: Sequence[Any]) -> Any:
        return seq[int(self.random() * len(seq))]

    def between(self, low: int, high: int) -> int:
        """An integer in [low, high]."""
        return low + int(self.random() * (high - low + 1))

    def stamp(self, ms: int) -> str:
        day, rest = divmod(ms, 86_400_000)
        date = self._days.get(day)
        if date is None:
            date = datetime.fromtimestamp(day * 86_400, UTC).strftime("%Y-%m-%d")
            self._days[day] = date
        return (f"{date}T{rest // 3_600_000:02d}:{rest // 60_000 % 60:02d}:"
                f"{rest // 1000 % 60:02d}.{rest % 1000:03d}Z")

    def uuid(self) -> str:
        h = f"{self.rng.getrandbits(128):032x}"
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"

    def profile(self, number: int) -> dict[str, Any]:
        rng = self.rng
        gender = self.pick(_GENDERS)
        first_names = {"female": FEMALE_FIRST, "male": MALE_FIRST}.get(gender, NEUTRAL_FIRST)
        first, last = self.choice(first_names), self.choice(LAST)
        country, code, currency, _, cities = self.pick(_COUNTRIES)
        city, state, state_code, postal = self.choice(cities)
        birth_year = self.between(self.now.year - 75, self.now.year - 18)
        birth_month, birth_day = self.between(1, 12), self.between(1, 28)
        local = f"{first}.{last}".lower().replace("'", "")
        if rng.random() < 0.6:
            local += str(self.between(1, 99))
        email = f"{local}@{self.pick(_DOMAINS)}"
        ecid = f"{rng.getrandbits(127) % 10**38:038d}"
        profile: dict[str, Any] = {
            "_id": self.uuid(),
            "person": {
                "name": {"firstName": first, "lastName": last, "fullName": f"{first} {last}"},
                "gender": gender,
                "birthDate": f"{birth_year:04d}-{birth_month:02d}-{birth_day:02d}",
                "birthYear": birth_year,
            },
            "homeAddress": {
                "street1": f"{self.between(1, 9999)} {self.choice(LAST)} Street",
                "city": city,
                "stateProvince": state,
                "stateProvinceISO": state_code,
                "postalCode": f"{postal}{self.between(10, 99)}",
                "country": country,
                "countryCode": code,
            },
            "personalEmail": {"address": email, "status": "active"},
            "identityMap": {
                "ECID": [{"id": ecid, "primary": True}],
                "Email": [{"id": email, "primary": False}],
            },
            "preferredCurrency": currency,
            "customerNumber": f"C{number:08d}",
        }
        tier = self.pick(_LOYALTY)
        if tier is not None:
            points = {"bronze": 500, "silver": 2500, "gold": 8000, "platinum": 20000}[tier]
            profile["loyalty"] = {"tier": tier, "points": self.between(points // 5, points),
                                  "status": "active"}
        return profile

    def events(self, profile: dict[str, Any]) -> list[dict[str, Any]]:
        rng = self.rng
        roll = rng.random()
        if roll < 0.15:  # never visited
            return []
        sessions = 1 + int(rng.expovariate(1 / 2.2))  # mean ~3 visits, long tail
        if roll > 0.93:  # a few very engaged shoppers
            sessions += self.between(4, 12)
        ecid = profile["identityMap"]["ECID"][0]["id"]
        currency = profile["preferredCurrency"]
        identity = {"ECID": [{"id": ecid, "primary": True}]}
        out: list[dict[str, Any]] = []
        for _ in range(sessions):
            # recency bias: more visits in the last weeks than half a year ago
            age_ms = int(HISTORY_DAYS * 86_400_000 * (rng.random() ** 1.4))
            self._session(out, identity, currency, self.now_ms - age_ms)
        out.sort(key=lambda e: e["timestamp"])
        return out

    def _session(self, out: list[dict[str, Any]], identity: dict[str, Any], currency: str,
                 start: int) -> None:
        random_ = self.random
        last_ms = self.now_ms - 1
        uuid, stamp = self.uuid, self.stamp

        def emit(ms: int, event_type: str, key: str, value: Any, commerce: Any) -> int:
            ms = min(ms, last_ms)
            event = {"_id": uuid(), "timestamp": stamp(ms), "eventType": event_type,
                     "identityMap": identity, key: value}
            if commerce is not None:
                event["commerce"] = commerce
            out.append(event)
            return ms

        name, path = self.choice(PAGES)
        ms = emit(start, "web.webpagedetails.pageViews", "web", {"webPageDetails": {
            "name": name, "URL": SITE + path, "pageViews": {"value": 1}}}, None)
        viewed = [self.choice(PRODUCTS) for _ in range(self.choice((1, 1, 2, 2, 3)))]
        for product in viewed:
            ms += 5_000 + int(random_() * 175_000)
            emit(ms, "commerce.productViews", "productListItems",
                 [_item(product, currency, 1)], {"productViews": {"value": 1}})
        if random_() >= 0.27:
            return
        cart = [_item(p, currency, 2 if random_() < 0.25 else 1) for p in viewed
                if random_() < 0.8] or [_item(viewed[0], currency, 1)]
        ms += 10_000 + int(random_() * 290_000)
        emit(ms, "commerce.productListAdds", "productListItems", cart,
             {"productListAdds": {"value": 1}})
        if random_() >= 0.5:
            return  # abandoned cart
        ms += 30_000 + int(random_() * 870_000)
        emit(ms, "commerce.checkouts", "productListItems", cart, {"checkouts": {"value": 1}})
        if random_() >= 0.82:
            return
        ms += 20_000 + int(random_() * 280_000)
        total = round(sum(item["priceTotal"] for item in cart), 2)
        order = {"purchaseID": f"ORD-{self.rng.getrandbits(40):010X}", "priceTotal": total,
                 "currencyCode": currency}
        emit(ms, "commerce.purchases", "productListItems", cart,
             {"order": order, "purchases": {"value": 1}})


def _item(product: tuple[str, str, str, float], currency: str, quantity: int) -> dict[str, Any]:
    sku, name, category, usd = product
    return {"SKU": sku, "name": name, "category": category, "quantity": quantity,
            "priceTotal": round(usd * FX[currency] * quantity, 2)}


def iter_sample(profiles: int, seed: int, now: datetime
                ) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """Yield ``(profile, its events sorted by timestamp)`` for ``profiles`` profiles."""
    if profiles < 0:
        raise ValueError("profiles must be >= 0")
    gen = _Generator(seed, now)
    for number in range(1, profiles + 1):
        profile = gen.profile(number)
        events = gen.events(profile)
        if number % EVENT_ONLY_EVERY == 0:
            profile = event_only(profile)
        yield profile, events


def event_only(profile: dict[str, Any]) -> dict[str, Any]:
    """The profile as a visitor known only from ExperienceEvents (export-jobs.md: profiles
    with no profile record, only ExperienceEvent records, are "emptyProfiles"): its id and
    the ECID its events carry, no attributes. Built after the full profile, so the random
    stream, and so every other profile, is the same as without it."""
    ecid = profile["identityMap"]["ECID"]
    return {"_id": profile["_id"], "identityMap": {"ECID": ecid}}


def write_sample(directory: Path, profiles: int, seed: int, now: datetime) -> tuple[Path, Path]:
    """Write ``profiles.ndjson`` and ``events.ndjson`` into ``directory``; return both paths."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    profiles_path, events_path = directory / PROFILES_FILE, directory / EVENTS_FILE
    encode = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False,
                              check_circular=False).encode
    # The records are acyclic; the cyclic GC would only rescan millions of young dicts.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        _write(profiles_path, events_path, encode, iter_sample(profiles, seed, now))
    finally:
        if was_enabled:
            gc.enable()
    return profiles_path, events_path


def _write(profiles_path: Path, events_path: Path, encode: Any,
           records: Iterator[tuple[dict[str, Any], list[dict[str, Any]]]]) -> None:
    with profiles_path.open("w", encoding="utf-8") as pf, \
            events_path.open("w", encoding="utf-8") as ef:
        profile_lines: list[str] = []
        event_lines: list[str] = []
        for profile, events in records:
            profile_lines.append(encode(profile))
            event_lines.extend(encode(e) for e in events)
            if len(event_lines) > 20_000:
                ef.write("\n".join(event_lines) + "\n")
                pf.write("\n".join(profile_lines) + "\n")
                profile_lines, event_lines = [], []
        if profile_lines:
            pf.write("\n".join(profile_lines) + "\n")
        if event_lines:
            ef.write("\n".join(event_lines) + "\n")

