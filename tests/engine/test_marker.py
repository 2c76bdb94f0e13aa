from segctl.engine import marker


def test_stamp_and_parse_round_trip() -> None:
    text = marker.stamp("Profiles whose gender is female.", "female-customers")
    assert text == "Profiles whose gender is female.\n\n[segctl:key=female-customers]"
    clean, mark = marker.parse(text)
    assert clean == "Profiles whose gender is female."
    assert mark == marker.Marker("female-customers", protect=False)


def test_empty_description_and_protect() -> None:
    text = marker.stamp("", "vip", protect=True)
    assert text == "[segctl:key=vip;protect]"
    assert marker.parse(text) == ("", marker.Marker("vip", protect=True))


def test_restamping_replaces_the_old_trailer() -> None:
    once = marker.stamp("Desc", "a")
    assert marker.stamp(once, "b") == "Desc\n\n[segctl:key=b]"


def test_unmarked_and_mid_text_markers_are_not_markers() -> None:
    assert marker.parse("plain") == ("plain", None)
    assert marker.parse(None) == ("", None)
    assert marker.parse("see [segctl:key=x] for details")[1] is None


def test_dataset_owner_from_tags() -> None:
    assert marker.dataset_owner({"tags": marker.dataset_tags("daily")}) == "daily"
    assert marker.dataset_owner({"tags": {"other": ["x"]}}) is None
    assert marker.dataset_owner({}) is None
