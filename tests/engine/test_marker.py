from segctl.engine import marker


def test_stamp_and_parse_round_trip() -> None:
    text = marker.stamp("Profiles whose gender is female.", "female-customers", project="crm")
    assert text == ("Profiles whose gender is female.\n\n"
                    "[segctl:project=crm;key=female-customers]")
    clean, mark = marker.parse(text)
    assert clean == "Profiles whose gender is female."
    assert mark == marker.Marker("female-customers", protect=False, project="crm")


def test_empty_description_and_protect() -> None:
    text = marker.stamp("", "vip", project="crm", protect=True)
    assert text == "[segctl:project=crm;key=vip;protect]"
    assert marker.parse(text) == ("", marker.Marker("vip", protect=True, project="crm"))


def test_restamping_replaces_the_old_trailer() -> None:
    once = marker.stamp("Desc", "a", project="crm")
    assert marker.stamp(once, "b", project="crm") == "Desc\n\n[segctl:project=crm;key=b]"


def test_unmarked_and_mid_text_markers_are_not_markers() -> None:
    assert marker.parse("plain") == ("plain", None)
    assert marker.parse(None) == ("", None)
    assert marker.parse("see [segctl:key=x] for details")[1] is None


def test_dataset_owner_from_tags() -> None:
    tags = marker.dataset_tags("daily", project="crm")
    assert tags == {"segctl": ["project=crm", "export=daily"]}
    assert marker.dataset_owner({"tags": tags}) == "daily"
    assert marker.parse_dataset({"tags": tags}) == marker.Marker("daily", project="crm")
    assert marker.dataset_owner({"tags": {"other": ["x"]}}) is None
    assert marker.dataset_owner({}) is None


def test_markers_from_before_projects_read_as_unclaimed() -> None:
    assert marker.parse("Desc\n\n[segctl:key=a]") == ("Desc", marker.Marker("a"))
    assert marker.parse("[segctl:key=a;protect]")[1] == marker.Marker("a", protect=True)
    legacy = marker.parse_dataset({"tags": {"segctl": ["export=daily"]}})
    assert legacy == marker.Marker("daily", project=None)
    assert legacy is not None and not legacy.owned_by("crm")


def test_restamping_a_legacy_marker_adds_the_project_once() -> None:
    again = marker.stamp("Desc\n\n[segctl:key=a]", "a", project="crm")
    assert again == "Desc\n\n[segctl:project=crm;key=a]"
    assert marker.stamp(again, "a", project="crm") == again


def test_format_and_parse_round_trip_every_shape() -> None:
    for mark in (marker.Marker("k"), marker.Marker("k", True), marker.Marker("k", False, "p"),
                 marker.Marker("a.b_c-9", True, "p.q")):
        assert marker.parse(marker.format_marker(mark)) == ("", mark)
    assert marker.parse("[segctl:project=p]") == ("[segctl:project=p]", None)  # no key
